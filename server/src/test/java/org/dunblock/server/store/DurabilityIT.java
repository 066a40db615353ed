package org.dunblock.server.store;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Signals;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.dunblock.server.testing.Traffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The default run: no DUNBLOCK_REDIS_URL, an embedded Redis with its append-only file under the data dir. */
@ExtendWith(VertxExtension.class)
class DurabilityIT {

  static DunblockConfig embedded(Path dataDir) {
    return embeddedConfig(dataDir).build();
  }

  static DunblockConfig.Builder embeddedConfig(Path dataDir) {
    return DunblockConfig.builder()
        .host("127.0.0.1")
        .port(TestRedis.freePort())
        .dataDir(dataDir)
        .eventLoops(1)
        .trustedProxies(List.of("127.0.0.1"))
        .filterExpectedNumbers(100_000)
        .tokensPerNetworkPerDay(1_000_000)
        .reportsPerReporterPerDay(1_000_000)
        .reportsPerNetworkPerDay(1_000_000)
        // The traffic's lookup loops, all from loopback, go past the default per-client allowance on a fast run.
        .lookupsPerClientPerMinute(0);
  }

  /**
   * SIGKILL of the embedded redis-server itself, under load: the server starts it again from its append-only file
   * and every acknowledged report is there, once. Under {@code always} Redis fsyncs before it answers; under
   * {@code everysec} it has written the file (to the kernel) before it answers, which survives the death of the
   * process but not of the machine: the one promise this test cannot tell apart (see README "Durability").
   */
  @ParameterizedTest
  @ValueSource(strings = {"always", "everysec"})
  void killingTheEmbeddedRedisLosesNoAcknowledgedReport(String fsync, Vertx vertx, @TempDir Path dataDir) {
    DunblockServer server = DunblockServer.start(embeddedConfig(dataDir).embeddedRedisFsync(fsync)
        .redisTimeout(Duration.ofSeconds(1)).build(), Clock.systemUTC());
    Api api = new Api(vertx, server.port());
    RedisURI uri = RedisURI.create(EmbeddedRedis.runningUrl(dataDir));
    uri.setTimeout(Duration.ofSeconds(1));
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      RedisCommands<String, String> redis = connection.sync();
      assertEquals(fsync, redis.configGet("appendfsync").get("appendfsync"));
      waitReady(api);
      try (Traffic traffic = Traffic.against(vertx, server.port()).start(4, 2)) {
        traffic.awaitMoreAcknowledged(40, Duration.ofSeconds(20));
        long pid = Signals.pidOf(redis);

        Signals.send(pid, "KILL");
        long killed = System.nanoTime();
        waitUntil("redis-server started again", Duration.ofSeconds(15), () -> {
          try {
            return Signals.pidOf(redis) != pid;
          } catch (RuntimeException notYet) {
            return false;
          }
        });
        Duration recovery = traffic.awaitMoreAcknowledged(1, Duration.ofSeconds(15));
        System.out.printf("FAULTS embedded redis-server kill -9 (appendfsync %s): running again after %d ms, "
            + "next report acknowledged %d ms later%n", fsync, (System.nanoTime() - killed) / 1_000_000
            - recovery.toMillis(), recovery.toMillis());
        traffic.awaitMoreAcknowledged(40, Duration.ofSeconds(20));
        traffic.stopAndSettle(Duration.ofSeconds(20));
        assertEquals(List.of(), traffic.errors());
        traffic.assertStoredExactlyOnce(redis, api);
      }
    } finally {
      client.shutdown();
      api.close();
      server.close();
    }
  }

  @Test
  void restartingTheServerOnTheSameDataDirKeepsEveryAcknowledgedReport(Vertx vertx, @TempDir Path dataDir)
      throws Exception {
    String[] numbers = {"13800138000", "13912345678", "95588"};
    JsonObject[] before = new JsonObject[numbers.length];
    int acknowledged = 0;

    DunblockServer first = DunblockServer.start(embedded(dataDir), Clock.systemUTC());
    Api api = new Api(vertx, first.port());
    try {
      waitReady(api);
      for (int r = 1; r <= 5; r++) {
        // An app installed a week ago (its votes weigh fully), minted with the secret this server generated.
        String token = TestTokens.established(dataDir);
        for (String n : numbers) {
          var response = api.report(token, "203.0." + r + ".1",
              new JsonObject().put("number", n).put("category", "CONTACT_HARASSMENT"));
          assertEquals(202, response.statusCode());
          acknowledged++;
        }
      }
      for (int i = 0; i < numbers.length; i++) {
        before[i] = api.lookup(numbers[i]);
        // 95588 is a short service number: the crowd takes it to WARN at most (DESIGN.md rule 9).
        assertEquals(numbers[i].equals("95588") ? "WARN" : "BLOCK", before[i].getString("verdict"));
      }
    } finally {
      api.close();
      first.close();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      assertTrue(files.anyMatch(p -> p.getFileName().toString().contains("dunblock.aof")),
          "append-only file under the data dir");
    }

    DunblockServer second = DunblockServer.start(embedded(dataDir), Clock.systemUTC());
    Api again = new Api(vertx, second.port());
    try {
      waitReady(again);
      long stored = 0;
      for (int i = 0; i < numbers.length; i++) {
        JsonObject after = again.lookup(numbers[i]);
        stored += after.getLong("reports");
        assertEquals(before[i].getString("verdict"), after.getString("verdict"));
        assertEquals(before[i].getJsonObject("categories"), after.getJsonObject("categories"));
        assertEquals(before[i].getString("firstReported"), after.getString("firstReported"));
      }
      assertEquals(acknowledged, stored, "every acknowledged report survives the restart");
    } finally {
      again.close();
      second.close();
    }
  }
}
