package org.dunblock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.ServerProcess;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.dunblock.server.testing.Traffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server instances on one Redis, one of them a {@code java -jar} process killed with SIGKILL in the middle of a
 * run of reports (the other runs in the test's JVM, which saves a second JVM start). Clients
 * retry what got no answer against the other instance with the same Idempotency-Key: nothing is lost (a report
 * the dead instance stored is answered from its key) and nothing counts twice.
 */
@ExtendWith(VertxExtension.class)
class ServerKillIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();

  @Test
  void reportsRetriedOnAnotherInstanceAfterKillMinus9AreStoredExactlyOnce(Vertx vertx, @TempDir Path logs)
      throws Exception {
    Map<String, String> env = Map.of(
        "DUNBLOCK_REDIS_URL", redis.url(),
        "DUNBLOCK_SECRET", TestServers.SECRET,
        "DUNBLOCK_TRUSTED_PROXIES", "127.0.0.1",
        "DUNBLOCK_FILTER_EXPECTED_NUMBERS", "100000",
        "DUNBLOCK_EVENT_LOOPS", "1",
        "DUNBLOCK_TOKENS_PER_NETWORK_PER_DAY", "1000000",
        "DUNBLOCK_REPORTS_PER_REPORTER_PER_DAY", "1000000",
        "DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY", "1000000");
    int portA = TestRedis.freePort();
    ServerProcess a = ServerProcess.start(portA, env, logs.resolve("a.log"));
    DunblockServer b = TestServers.start(TestServers.config(redis));
    Api api = new Api(vertx, b.port());
    try {
      a.awaitReady();
      Conditions.waitReady(api);
      try (Traffic traffic = Traffic.against(vertx, portA, b.port()).start(8, 0)) {
        traffic.awaitMoreAcknowledged(60, Duration.ofSeconds(30));

        a.kill(); // SIGKILL, in the middle of reports
        assertTrue(a.process().waitFor(10, TimeUnit.SECONDS));
        Duration failover = traffic.awaitMoreAcknowledged(1, Duration.ofSeconds(15));
        traffic.awaitMoreAcknowledged(60, Duration.ofSeconds(30));
        traffic.stopAndSettle(Duration.ofSeconds(20));

        System.out.printf("FAULTS server kill -9: next report acknowledged by the other instance after %d ms; "
            + "acknowledged=%d, answered from Idempotency-Key=%d%n", failover.toMillis(), traffic.acknowledgedCount(),
            traffic.replays());
        assertEquals(List.of(), traffic.errors());
        traffic.assertStoredExactlyOnce(redis.commands(), api);
      }
    } finally {
      api.close();
      b.close();
      a.kill();
    }
  }
}
