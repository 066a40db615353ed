package org.dunblock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.ServerProcess;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command for real: the fat jar as its own process, stopped with SIGTERM, started again on the
 * same data directory.
 */
class JarProcessIT {
  static final Path JAR = ServerProcess.JAR;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Process start(Path dataDir, int port, Path log) {
    return ServerProcess.start(port, Map.of("DUNBLOCK_DATA_DIR", dataDir.toString()), log).process();
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  HttpResponse<String> post(int port, String path, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  String token(int port) {
    String body = post(port, "/v1/reporters", null).body();
    return body.replaceAll(".*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
  }

  @Test
  void jarServesStopsOnSigtermAndKeepsReportsAcrossRestart(@TempDir Path dataDir) throws Exception {
    assertTrue(Files.exists(JAR), "the fat jar is built before integration tests");
    int port = TestRedis.freePort();
    Path log = dataDir.resolve("server.log");
    Process first = start(dataDir, port, log);
    try {
      ServerProcess.awaitReady(port);
      for (int i = 1; i <= 5; i++) {
        HttpResponse<String> r = post(port, "/v1/reports",
            "{\"number\":\"+86 138 0013 8000\",\"category\":\"DEBT_COLLECTION\"}",
            "Authorization", "Bearer " + TestTokens.established(dataDir), "X-Forwarded-For", "203.0." + i + ".1");
        assertEquals(202, r.statusCode(), r.body());
      }
      first.destroy(); // SIGTERM
      assertTrue(first.waitFor(30, TimeUnit.SECONDS), "server exits after SIGTERM");
    } finally {
      first.destroyForcibly();
    }
    String output = Files.readString(log);
    assertTrue(output.contains("Embedded Redis stopped"), output);
    assertTrue(output.contains("Dunblock stopped"), output);

    Process second = start(dataDir, port, dataDir.resolve("server2.log"));
    try {
      ServerProcess.awaitReady(port);
      HttpResponse<String> lookup = send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/v1/numbers/13800138000")).build());
      assertEquals(200, lookup.statusCode());
      assertTrue(lookup.body().contains("\"verdict\":\"BLOCK\""), lookup.body());
      assertTrue(lookup.body().contains("\"reports\":5"), lookup.body());
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
      second.destroyForcibly();
    }
  }

  @Test
  void aKilledServerLeavesNoSecondRedisOnItsDataDir(@TempDir Path dataDir) throws Exception {
    int port = TestRedis.freePort();
    Process first = start(dataDir, port, dataDir.resolve("first.log"));
    int orphanPort;
    try {
      ServerProcess.awaitReady(port);
      HttpResponse<String> r = post(port, "/v1/reports", "{\"number\":\"13800138000\",\"category\":\"THREAT\"}",
          "Authorization", "Bearer " + token(port), "X-Forwarded-For", "203.0.113.1");
      assertEquals(202, r.statusCode(), r.body());
      orphanPort = Integer.parseInt(Files.readString(dataDir.resolve("redis").resolve("port")).trim());
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook runs, redis-server is orphaned
      first.waitFor(30, TimeUnit.SECONDS);
    }
    assertTrue(listening(orphanPort), "the orphaned redis-server still runs");

    Process second = start(dataDir, port, dataDir.resolve("second.log"));
    try {
      ServerProcess.awaitReady(port);
      assertTrue(!listening(orphanPort) || orphanPort == Integer.parseInt(
          Files.readString(dataDir.resolve("redis").resolve("port")).trim()), "the orphan was shut down");
      HttpResponse<String> lookup = send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/v1/numbers/13800138000")).build());
      assertTrue(lookup.body().contains("\"reports\":1"), lookup.body());
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
      second.destroyForcibly();
    }
  }

  static boolean listening(int port) {
    try (java.net.Socket socket = new java.net.Socket()) {
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
