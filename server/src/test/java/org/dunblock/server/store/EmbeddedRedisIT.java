package org.dunblock.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.dunblock.server.testing.CapturedLogs;
import org.dunblock.server.testing.Signals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded redis-server's stop is bounded: it never outlives the server that started it. It answers only clients
 * that know its password, kept owner-only in the data dir.
 */
class EmbeddedRedisIT {
  @RegisterExtension
  final CapturedLogs logs = new CapturedLogs();

  @Test
  @Timeout(60)
  void aLocalProcessWithoutThePasswordIsRefused(@TempDir Path dataDir) throws Exception {
    try (EmbeddedRedis embedded = EmbeddedRedis.start(dataDir, 0, "everysec")) {
      try (Socket socket = new Socket("127.0.0.1", embedded.port())) {
        socket.setSoTimeout(5_000);
        socket.getOutputStream().write("KEYS *\r\n".getBytes(StandardCharsets.US_ASCII));
        String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
            .readLine();
        assertTrue(answer != null && answer.startsWith("-NOAUTH"), "unauthenticated KEYS answered: " + answer);
      }
      RedisClient client = RedisClient.create(embedded.url());
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        assertEquals("PONG", connection.sync().ping(), "with the password, the server's own connection works");
      } finally {
        client.shutdown();
      }
      assertEquals(embedded.url(), EmbeddedRedis.runningUrl(dataDir), "command-line tools find it with its password");
    }
  }

  @Test
  @Timeout(60)
  void thePasswordIsOwnerOnlyAndNeverShown(@TempDir Path dataDir) throws Exception {
    String password;
    try (EmbeddedRedis embedded = EmbeddedRedis.start(dataDir, 0, "everysec")) {
      Path file = dataDir.resolve("redis").resolve(EmbeddedRedis.AUTH_FILE);
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
      password = EmbeddedRedis.storedPassword(dataDir.resolve("redis").toAbsolutePath());
      assertTrue(password != null && password.length() >= 32, "a long random password");
      assertFalse(embedded.toString().contains(password), embedded.toString());
    }
    // The same password after a restart: tools and a restarted server agree on it.
    try (EmbeddedRedis again = EmbeddedRedis.start(dataDir, 0, "everysec")) {
      assertTrue(again.url().contains(password));
    }
    assertFalse(logs.lines().stream().anyMatch(line -> line.contains(password)), "the password was logged");
  }

  @Test
  @Timeout(60) // without the bounded stop, close() waits on the refusing redis-server for ever
  void aRedisThatCannotSaveOnShutdownIsKilledInsteadOfOutlivingUs(@TempDir Path dataDir) throws Exception {
    EmbeddedRedis embedded = EmbeddedRedis.start(dataDir, 0, "everysec", Duration.ofSeconds(2));
    long pid;
    RedisClient client = RedisClient.create(embedded.url());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().set("k", "v");
      pid = Signals.pidOf(connection.sync());
    } finally {
      client.shutdown();
    }
    // Its directory gone, redis-server can write neither its RDB nor its AOF: it refuses SHUTDOWN and SIGTERM.
    try (Stream<Path> files = Files.walk(dataDir.resolve("redis"))) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
    ProcessHandle process = ProcessHandle.of(pid).orElseThrow();

    embedded.close();

    process.onExit().get(10, TimeUnit.SECONDS);
    assertFalse(process.isAlive(), "redis-server is gone once close() returned");
    assertTrue(logs.lines().stream().anyMatch(line -> line.contains("did not exit within 2 s of SHUTDOWN")),
        "redis-server refused to shut down and was killed: " + logs.lines());
  }
}
