package org.dunblock.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The fat jar ({@code target/dunblock-server.jar}) as its own JVM process, as operators run it: configured by
 * DUNBLOCK_ environment variables only, its output in a log file.
 */
public final class ServerProcess implements AutoCloseable {
  public static final Path JAR = Path.of("target", "dunblock-server.jar");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final int port;

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts the jar on 127.0.0.1:{@code port} with the given extra DUNBLOCK_ variables. */
  public static ServerProcess start(int port, Map<String, String> env, Path log) {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", JAR.toString());
    builder.environment().put("DUNBLOCK_PORT", Integer.toString(port));
    builder.environment().put("DUNBLOCK_HOST", "127.0.0.1");
    builder.environment().put("DUNBLOCK_TRUSTED_PROXIES", "127.0.0.1");
    builder.environment().put("DUNBLOCK_FILTER_EXPECTED_NUMBERS", "100000");
    builder.environment().putAll(env);
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    try {
      return new ServerProcess(builder.start(), port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits (at most 60 s) until the process answers /ready with 200. */
  public ServerProcess awaitReady() {
    awaitReady(port);
    return this;
  }

  /** Waits (at most 60 s) until whatever listens on 127.0.0.1:{@code port} answers /ready with 200. */
  public static void awaitReady(int port) {
    Conditions.waitUntil("jar ready on " + port, Duration.ofSeconds(60), () -> ready(port));
  }

  private static boolean ready(int port) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public int port() {
    return port;
  }

  public Process process() {
    return process;
  }

  /** SIGKILL: no shutdown hook, no draining, as a crashed machine. Returns once the process is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM and a bounded wait for the graceful stop, then SIGKILL whatever is left. */
  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      process.destroyForcibly();
    }
  }
}
