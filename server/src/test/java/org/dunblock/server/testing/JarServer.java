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

/** The fat jar as its own process, as the README runs it, for tests that stop or kill a real server. */
public final class JarServer {
  public static final Path JAR = Path.of("target", "dunblock-server.jar");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private JarServer() {
  }

  /** Starts {@code java -jar} on 127.0.0.1:{@code port} with these DUNBLOCK_ settings, output to {@code log}. */
  public static Process launch(Map<String, String> env, int port, Path log) {
    ProcessBuilder builder = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar", JAR.toString());
    builder.environment().putAll(env);
    builder.environment().put("DUNBLOCK_PORT", Integer.toString(port));
    builder.environment().put("DUNBLOCK_HOST", "127.0.0.1");
    builder.redirectErrorStream(true).redirectOutput(log.toFile());
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  public static void awaitReady(int port) {
    Conditions.waitUntil("jar ready on " + port, Duration.ofSeconds(60), () -> ready(port));
  }
}
