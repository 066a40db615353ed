package org.dunblock.server.store;

import static org.dunblock.server.store.RedisOutageIT.LOOKUP_TIMEOUT;
import static org.dunblock.server.store.RedisOutageIT.faultTolerant;
import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.FaultProxy;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.dunblock.server.testing.Traffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bad network between the server and Redis ({@link FaultProxy}): slow, cut, or silently dropping everything.
 * The promises of {@link RedisOutageIT} hold: lookups answered in time (degraded and flagged when Redis cannot be
 * asked), reports refused with 503 + Retry-After or acknowledged and then stored exactly once, recovery unaided.
 */
@ExtendWith(VertxExtension.class)
class NetworkFaultsIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();

  /** Runs traffic through a proxied server, lets {@code fault} break and mend the network, then checks Redis. */
  private void underTraffic(Vertx vertx, BiConsumer<FaultProxy, Traffic> fault) {
    try (FaultProxy proxy = FaultProxy.start(vertx, redis.port())) {
      RedisOutageIT.underTraffic(vertx, proxy.url(), redis, (traffic, api) -> fault.accept(proxy, traffic));
    }
  }

  @Test
  void slowNetworkDegradesLookupsInTimeAndStillTakesReports(Vertx vertx) {
    underTraffic(vertx, (proxy, traffic) -> {
      // 150 ms each way: a Redis read (300 ms) misses the lookup deadline (250 ms); a report (two round trips,
      // 600 ms) stays well within the Redis timeout (1 s) even on a busy machine.
      proxy.latency(150);
      long degradedBefore = traffic.degradedLookups();
      waitUntil("lookups degraded", Duration.ofSeconds(10), () -> traffic.degradedLookups() > degradedBefore + 5);
      traffic.awaitMoreAcknowledged(10, Duration.ofSeconds(20));
      proxy.restore();
    });
  }

  @Test
  void cutConnectionsAreReopenedAtOnce(Vertx vertx) {
    underTraffic(vertx, (proxy, traffic) -> {
      for (int i = 0; i < 3; i++) {
        proxy.cut();
        Duration recovery = traffic.awaitMoreAcknowledged(1, Duration.ofSeconds(10));
        System.out.printf("FAULTS cut: report acknowledged %d ms after all connections were cut%n",
            recovery.toMillis());
      }
    });
  }

  @Test
  void blackholedConnectionsAreReplacedOnceTheNetworkIsBack(Vertx vertx) {
    underTraffic(vertx, (proxy, traffic) -> {
      proxy.blackhole();
      long refusedBefore = traffic.refusals();
      long degradedBefore = traffic.degradedLookups();
      waitUntil("reports refused", Duration.ofSeconds(10), () -> traffic.refusals() > refusedBefore);
      waitUntil("lookups degraded", Duration.ofSeconds(10), () -> traffic.degradedLookups() > degradedBefore);
      // The old connections stay silent for good: the server has to notice and open new ones.
      proxy.restore();
      Duration recovery = traffic.awaitMoreAcknowledged(1, Duration.ofSeconds(15));
      System.out.printf("FAULTS blackhole: first report acknowledged %d ms after the network was back%n",
          recovery.toMillis());
    });
  }

  @Test
  void theFilterFollowerRecoversFromABlackholeToo(Vertx vertx) {
    try (FaultProxy proxy = FaultProxy.start(vertx, redis.port())) {
      DunblockServer behindProxy = faultTolerant(proxy.url(), redis);
      DunblockServer direct = TestServers.start(TestServers.config(redis));
      Api far = new Api(vertx, behindProxy.port());
      Api near = new Api(vertx, direct.port());
      try {
        waitReady(far);
        waitReady(near);
        String known = "+8613800000000";
        assertEquals(202, near.report(near.newToken(), "203.0.113.8",
            new JsonObject().put("number", known).put("category", "THREAT")).statusCode());
        waitUntil("followed before the fault", Duration.ofSeconds(5), () -> far.lookup(known).getLong("reports") == 1L);
        proxy.blackhole();
        waitUntil("lookups degraded", Duration.ofSeconds(10),
            () -> Boolean.TRUE.equals(far.lookup(known).getBoolean("degraded")));
        // The follower's connection is as dead as the others, and stays so after the network is back.
        proxy.restore();
        String number = "+8613911112222";
        assertEquals(202, near.report(near.newToken(), "203.0.113.9",
            new JsonObject().put("number", number).put("category", "THREAT")).statusCode());
        long start = System.nanoTime();
        waitUntil("a report through the other instance reaches this one's filter", Duration.ofSeconds(15),
            () -> far.lookup(number).getLong("reports") == 1L);
        System.out.printf("FAULTS blackhole: follower caught up %d ms after the network was back%n",
            (System.nanoTime() - start) / 1_000_000);
      } finally {
        far.close();
        near.close();
        behindProxy.close();
        direct.close();
      }
    }
  }
}
