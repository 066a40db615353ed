package org.dunblock.server.lookup;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dunblock.server.config.CacheOptions;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.TestServers;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TwoServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each instance's near cache of listed numbers' records (issue 19): a write through one instance changes the other's
 * cached answer within the 1 s of DESIGN.md rule 1, a cached answer costs Redis nothing, a broken invalidation channel
 * drops the whole cache once it is back, and the cache stays within its bounds. Run on a standalone Redis and, in the
 * cluster-it run, on a Redis Cluster.
 */
class ReputationCacheIT {
  static final String ADMIN_KEY = "dbk_cache-admin-key-0123456789abcdef";
  static final Duration STALENESS_BOUND = Duration.ofSeconds(1);
  static final boolean ON_CLUSTER = Boolean.getBoolean("dunblock.test.redisCluster");
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();

  static JsonObject report(String number, String category) {
    return new JsonObject().put("number", number).put("category", category);
  }

  /** A counter or gauge of the instance's /metrics, summed over the lines that start with {@code series}. */
  static double metric(Api api, String series) {
    HttpResponse<Buffer> response = api.get("/metrics");
    assertEquals(200, response.statusCode());
    double sum = 0;
    for (String line : response.bodyAsString().split("\n")) {
      if (line.startsWith(series)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }

  static double hits(Api api) {
    return metric(api, "dunblock_reputation_cache_lookups_total{result=\"hit\"");
  }

  /** Looks the number up on {@code api} until an answer comes from its cache (the channel may still be starting). */
  static JsonObject cachedLookup(Api api, String number) {
    JsonObject[] last = new JsonObject[1];
    waitUntil("a lookup of " + number + " answered from the cache", Duration.ofSeconds(10), () -> {
      double before = hits(api);
      last[0] = api.lookup(number);
      return hits(api) > before;
    });
    return last[0];
  }

  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).with(c -> c.adminKey(ADMIN_KEY)
      .cache(new CacheOptions(CacheOptions.DEFAULT_MAX_ENTRIES, 32L * 1024 * 1024, CacheOptions.DEFAULT_MAX_STALENESS)));

    @Test
    void secondLookupIsAnsweredWithoutRedis() {
      String number = "+8613800138000";
      assertEquals(202, both.apiA().report(both.apiA().establishedToken(), "203.0.113.1",
          report(number, "THREAT")).statusCode());
      cachedLookup(both.apiB(), number);
      Map<String, Long> before = redis.commandCalls();
      double hitsBefore = hits(both.apiB());
      JsonObject answer = both.apiB().lookup(number);
      assertEquals(1, answer.getLong("reports"));
      assertEquals(hitsBefore + 1, hits(both.apiB()));
      assertFalse(redis.commandsSince(before).containsKey("hgetall"), "answered from the cache, not Redis: "
          + redis.commandsSince(before));
    }

    @Test
    void numberAskedAboutOnceIsNotKeptAndIsKeptWhenAskedAgain() {
      String number = "+8613800138009";
      assertEquals(202, both.apiA().report(both.apiA().establishedToken(), "203.0.113.1",
          report(number, "THREAT")).statusCode());
      Api b = both.apiB();
      // Once a seed number is answered from B's cache, B's channel is current and its lookups use the cache.
      cachedLookup(b, seedNumber(both.apiA()));
      double entries = metric(b, "dunblock_reputation_cache_entries");
      double deferred = metric(b, "dunblock_reputation_cache_deferred_total");
      assertEquals(1, b.lookup(number).getLong("reports"));
      assertEquals(entries, metric(b, "dunblock_reputation_cache_entries"), "a first miss keeps nothing");
      assertEquals(deferred + 1, metric(b, "dunblock_reputation_cache_deferred_total"));
      assertEquals(1, b.lookup(number).getLong("reports"));
      assertEquals(entries + 1, metric(b, "dunblock_reputation_cache_entries"), "the second miss keeps the record");
      double hits = hits(b);
      assertEquals(1, b.lookup(number).getLong("reports"));
      assertEquals(hits + 1, hits(b), "the third lookup is answered from the cache");
    }

    /** A number reported through {@code api}, so another instance's cache can be brought to serving. */
    static String seedNumber(Api api) {
      String seed = "+8613800138099";
      assertEquals(202, api.report(api.establishedToken(), "203.0.113.2", report(seed, "THREAT")).statusCode());
      return seed;
    }

    @Test
    void reportThroughOneInstanceChangesTheOthersCachedAnswerWithinOneSecond() {
      String number = "+8613800138001";
      both.apiA().report(both.apiA().establishedToken(), "203.0.113.1", report(number, "THREAT"));
      assertEquals(1, cachedLookup(both.apiB(), number).getLong("reports"));
      assertEquals(202, both.apiA().report(both.apiA().establishedToken(), "198.51.100.1",
          report(number, "DEBT_COLLECTION")).statusCode());
      waitUntil("B answers with the second report", STALENESS_BOUND,
          () -> both.apiB().lookup(number).getLong("reports") == 2);
      // The writer's own cache never shows the old record after its write, not even within the bound.
      assertEquals(2, cachedLookup(both.apiA(), number).getLong("reports"), "A holds the record too");
      both.apiA().report(both.apiA().establishedToken(), "192.0.2.1", report(number, "FRAUD"));
      assertEquals(3, both.apiA().lookup(number).getLong("reports"));
    }

    @Test
    void overrideThroughOneInstanceChangesTheOthersCachedAnswerWithinOneSecond() {
      String number = "+8613800138002";
      both.apiA().report(both.apiA().establishedToken(), "203.0.113.1", report(number, "THREAT"));
      assertEquals("WARN", cachedLookup(both.apiB(), number).getString("verdict"));
      HttpResponse<Buffer> set = Api.await(both.apiA().request(HttpMethod.PUT, "/v1/admin/overrides/" + number)
          .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "application/json")
          .sendBuffer(new JsonObject().put("verdict", "BLOCK").put("reason", "Regulator notice").toBuffer()));
      assertEquals(200, set.statusCode(), set.bodyAsString());
      waitUntil("B answers with the override", STALENESS_BOUND,
          () -> "BLOCK".equals(both.apiB().lookup(number).getString("verdict")));
    }

    @Test
    void allowedAppealChangesTheOthersCachedAnswerWithinOneSecond() {
      String number = "+8613800138003";
      for (int i = 1; i <= 5; i++) {
        assertEquals(202, both.apiA().report(both.apiA().establishedToken(), "198.51." + i + ".23",
            report(number, "CONTACT_HARASSMENT")).statusCode());
      }
      assertEquals("BLOCK", cachedLookup(both.apiB(), number).getString("verdict"));
      String operatorKey = new KeyRegistry(redis.commands(), java.time.Clock.systemUTC())
          .create(Role.OPERATOR, "appeal reviewer", "test").secret();
      HttpResponse<Buffer> filed = both.apiA().post("/v1/appeals", new JsonObject().put("number", number)
              .put("contact", "owner@example.com").put("reason", "This is my shop's number.").encode(),
          "X-Forwarded-For", "192.0.2.10");
      assertEquals(202, filed.statusCode(), filed.bodyAsString());
      HttpResponse<Buffer> decided = Api.await(both.apiA().request(HttpMethod.POST,
              "/v1/admin/appeals/" + filed.bodyAsJsonObject().getString("appealId") + "/decision")
          .putHeader("Authorization", "Bearer " + operatorKey).putHeader("Content-Type", "application/json")
          .sendBuffer(new JsonObject().put("decision", "allow").put("note", "Checked the licence").toBuffer()));
      assertEquals(200, decided.statusCode(), decided.bodyAsString());
      waitUntil("B answers with the appeal's ALLOW", STALENESS_BOUND,
          () -> "ALLOW".equals(both.apiB().lookup(number).getString("verdict")));
    }

    @Test
    void changeMadeWhileTheChannelIsDownIsNotServedOnceItIsBack() {
      String number = "+8613800138004";
      String key = KeySchema.number(number);
      both.apiA().report(both.apiA().establishedToken(), "203.0.113.1", report(number, "THREAT"));
      assertEquals(1, cachedLookup(both.apiB(), number).getLong("reports"));
      double resetsBefore = metric(both.apiB(), "dunblock_reputation_cache_invalidations_total{scope=\"reset\"");
      int port = ON_CLUSTER ? redis.cluster().masterPortOf(key) : redis.port();
      RedisClient client = RedisClient.create("redis://127.0.0.1:" + port);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        RedisCommands<String, String> node = connection.sync();
        List<Long> channels = new ArrayList<>();
        for (String line : node.clientList().split("\n")) {
          if (line.contains("name=dunblock-invalidations")) {
            channels.add(Long.parseLong(line.substring(line.indexOf("id=") + 3, line.indexOf(' '))));
          }
        }
        assertEquals(2, channels.size(), "one tracking connection per instance to the key's master");
        // The channels die and the record changes in one transaction: no invalidation can reach either instance.
        node.multi();
        for (long id : channels) {
          node.clientKill(KillArgs.Builder.id(id));
        }
        node.hset(key, "reports", "7");
        assertFalse(node.exec().wasDiscarded());
      } finally {
        client.shutdown();
      }
      waitUntil("B answers with the record as it is now", STALENESS_BOUND,
          () -> both.apiB().lookup(number).getLong("reports") == 7);
      // Meanwhile B reads Redis; once its channel tracks again it has dropped everything it kept, so what it serves
      // from its cache then is the record as it is now, not the one cached before the break.
      assertEquals(7, cachedLookup(both.apiB(), number).getLong("reports"));
      assertTrue(metric(both.apiB(), "dunblock_reputation_cache_invalidations_total{scope=\"reset\"") > resetsBefore,
          "B dropped its whole cache when its channel was back");
    }

    @Test
    void cacheEvictsPastItsMaximumEntries() {
      DunblockServer small = TestServers.start(TestServers.config(redis)
          .cache(new CacheOptions(5, 1024 * 1024, CacheOptions.DEFAULT_MAX_STALENESS)));
      Api api = new Api(small.vertx(), small.port());
      try {
        Conditions.waitReady(api);
        evictsPastFive(api);
      } finally {
        api.close();
        small.close();
      }
    }

    void evictsPastFive(Api api) {
      String token = api.establishedToken();
      List<String> numbers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String number = "+86139001390" + String.format("%02d", i);
        numbers.add(number);
        assertEquals(202, api.report(token, "203.0.113.1", report(number, "THREAT")).statusCode());
      }
      cachedLookup(api, numbers.get(0));
      for (int pass = 0; pass < 2; pass++) {
        for (String number : numbers) {
          assertEquals(1, api.lookup(number).getLong("reports"));
        }
      }
      assertTrue(metric(api, "dunblock_reputation_cache_evictions_total") >= 10, "evicted past 5 entries");
      assertTrue(metric(api, "dunblock_reputation_cache_entries") <= 5, "at most 5 entries kept");
    }
}
