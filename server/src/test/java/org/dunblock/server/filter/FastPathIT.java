package org.dunblock.server.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DESIGN.md rules 1 and 2: the Bloom-filter fast path never changes an answer and spares Redis. */
@ExtendWith(VertxExtension.class)
class FastPathIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  DunblockServer a;
  DunblockServer b;
  Api apiA;
  Api apiB;

  @AfterEach
  void stopServers() {
    for (Api api : new Api[] {apiA, apiB}) {
      if (api != null) {
        api.close();
      }
    }
    for (DunblockServer server : new DunblockServer[] {a, b}) {
      if (server != null) {
        server.close();
      }
    }
    apiA = apiB = null;
    a = b = null;
  }

  static JsonObject report(String number, String category) {
    return new JsonObject().put("number", number).put("category", category);
  }

  @Test
  void lookupOfAnUnreportedNumberSendsNoCommandToRedis(Vertx vertx) {
    a = TestServers.start(TestServers.config(redis));
    apiA = new Api(vertx, a.port());
    waitReady(apiA);
    apiA.report(apiA.newToken(), "203.0.113.1", report("13800138000", "THREAT"));

    Map<String, Long> before = redis.commandCalls();
    for (int i = 0; i < 200; i++) {
      JsonObject r = apiA.lookup("+861390000" + String.format("%04d", i));
      assertEquals("ALLOW", r.getString("verdict"));
      assertEquals(0, r.getLong("reports"));
    }
    assertEquals(Map.of(), redis.commandsSince(before), "lookups of unreported numbers must not touch Redis");

    // A reported number does go to Redis, and the answer is Redis's.
    Map<String, Long> beforeHit = redis.commandCalls();
    assertEquals(1, apiA.lookup("13800138000").getLong("reports"));
    assertEquals(Map.of("hgetall", 1L), redis.commandsSince(beforeHit));
  }

  @Test
  void batchOfUnreportedNumbersSendsNoCommandToRedis(Vertx vertx) {
    a = TestServers.start(TestServers.config(redis));
    apiA = new Api(vertx, a.port());
    waitReady(apiA);
    Map<String, Long> before = redis.commandCalls();
    var body = new JsonObject().put("numbers", new io.vertx.core.json.JsonArray()
        .add("13900000001").add("13900000002").add("95588"));
    var response = apiA.post("/v1/numbers/lookup", body.encode());
    assertEquals(200, response.statusCode());
    assertEquals(3, response.bodyAsJsonObject().getJsonArray("results").size());
    assertEquals(Map.of(), redis.commandsSince(before));
  }

  @Test
  void numberReportedThroughOneInstanceIsInTheOthersFilterWithinOneSecond(Vertx vertx) {
    a = TestServers.start(TestServers.config(redis));
    b = TestServers.start(TestServers.config(redis));
    apiA = new Api(vertx, a.port());
    apiB = new Api(vertx, b.port());
    waitReady(apiA);
    waitReady(apiB);
    String number = "+8613800138123";
    assertFalse(b.filter().mightContain(number));
    assertEquals(0, apiB.lookup(number).getLong("reports"));

    assertEquals(202, apiA.report(apiA.newToken(), "203.0.113.1", report(number, "DEBT_COLLECTION")).statusCode());
    waitUntil("B's filter holds the number", Duration.ofSeconds(1), () -> b.filter().mightContain(number));
    assertEquals(1, apiB.lookup(number).getLong("reports"));
  }

  @Test
  void restartedInstanceRebuildsItsFilterAndAnswersTheSame(Vertx vertx) {
    a = TestServers.start(TestServers.config(redis));
    apiA = new Api(vertx, a.port());
    waitReady(apiA);
    String[] numbers = {"13800138000", "13800138001", "13800138002", "95588"};
    for (int i = 0; i < 5; i++) {
      for (String n : numbers) {
        apiA.report(apiA.newToken(), "203.0." + i + ".1", report(n, i % 2 == 0 ? "THREAT" : "DEBT_COLLECTION"));
      }
    }
    Map<String, JsonObject> before = new HashMap<>();
    for (String n : numbers) {
      before.put(n, apiA.lookup(n));
    }
    apiA.close();
    a.close();

    a = TestServers.start(TestServers.config(redis));
    apiA = new Api(vertx, a.port());
    waitReady(apiA);
    for (String n : numbers) {
      String e164 = before.get(n).getString("number");
      assertTrue(a.filter().mightContain(e164), "rebuilt filter holds " + e164);
      assertEquals(before.get(n), apiA.lookup(n));
    }
  }

  @Test
  void periodicRebuildDropsNumbersPastTheirRetentionAndTellsTheAppFeeds(Vertx vertx) {
    MutableClock clock = new MutableClock(Instant.now());
    a = TestServers.start(TestServers.config(redis)
        .retention(Duration.ofHours(1))
        .filterRebuildInterval(Duration.ofMillis(100)), clock);
    apiA = new Api(vertx, a.port());
    waitReady(apiA);
    String number = "+8613800138000";
    apiA.report(apiA.newToken(), "203.0.113.1", report(number, "THREAT"));
    assertTrue(a.filter().mightContain(number));
    assertEquals(1, apiA.lookup(number).getLong("reports"));
    String version = apiA.get("/v1/filter").getHeader("X-Filter-Version");

    clock.advance(Duration.ofHours(2));
    // Past the retention the record is gone for readers at once, and the next rebuild drops it from the filter.
    assertEquals(0, apiA.lookup(number).getLong("reports"));
    waitUntil("filter drops the expired number", Duration.ofSeconds(10),
        () -> !a.filter().mightContain(number));
    assertEquals(0, redis.commands().zcard(org.dunblock.server.store.KeySchema.index(
        org.dunblock.server.store.KeySchema.shardOf(number))));
    // Apps are told with the next small download, not the next snapshot (issue 16: deltas carry removals).
    io.vertx.core.json.JsonObject changes = apiA.get("/v1/filter/changes?since="
        + java.net.URLEncoder.encode(version, java.nio.charset.StandardCharsets.UTF_8)).bodyAsJsonObject();
    assertEquals(new io.vertx.core.json.JsonArray().add(number), changes.getJsonArray("removed"), changes.encode());
    assertEquals(new io.vertx.core.json.JsonArray(), changes.getJsonArray("added"), changes.encode());
    Map<String, Long> before = redis.commandCalls();
    assertEquals("ALLOW", apiA.lookup(number).getString("verdict"));
    Map<String, Long> lookupCommands = new java.util.HashMap<>(redis.commandsSince(before));
    // The 100 ms rebuild keeps scanning beside the lookup (on a cluster the snapshot spans three masters, so it is
    // often caught); its trim (trim-index.lua) and scans are not the lookup's.
    lookupCommands.keySet().removeAll(java.util.Set.of("zscan", "evalsha", "zrangebyscore"));
    assertEquals(Map.of(), lookupCommands);

    // Reported again, it is listed again, after its removal.
    apiA.report(apiA.newToken(), "203.0.113.2", report(number, "THREAT"));
    io.vertx.core.json.JsonObject again = apiA.get("/v1/filter/changes?since="
        + java.net.URLEncoder.encode(version, java.nio.charset.StandardCharsets.UTF_8)).bodyAsJsonObject();
    assertEquals(new io.vertx.core.json.JsonArray().add(number), again.getJsonArray("added"), again.encode());
    assertEquals(new io.vertx.core.json.JsonArray(), again.getJsonArray("removed"), again.encode());
  }
}
