package org.dunblock.server.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DESIGN.md rules 3, 5 and 6: one vote per reporter, idempotent retries, counter-votes, decay, age limit. */
@ExtendWith(VertxExtension.class)
class ReportRulesIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  final MutableClock clock = new MutableClock(Instant.now());
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).clock(clock);

  Api api() {
    return app.api();
  }

  static JsonObject report(String number, String category) {
    return new JsonObject().put("number", number).put("category", category);
  }

  void blockWithFiveReporters(String number) {
    for (int i = 1; i <= 5; i++) {
      assertEquals(202, api().report(api().establishedToken(), "203.0." + i + ".1", report(number, "DEBT_COLLECTION"))
          .statusCode());
    }
    assertEquals("BLOCK", api().lookup(number).getString("verdict"));
  }

  @Test
  void reportFromSameReporterCountsOnce() {
    String token = api().establishedToken();
    HttpResponse<Buffer> first = api().report(token, "203.0.113.5", report("13800138000", "DEBT_COLLECTION"));
    HttpResponse<Buffer> second = api().report(token, "203.0.113.5", report("13800138000", "DEBT_COLLECTION"));
    HttpResponse<Buffer> fromElsewhere = api().report(token, "198.51.100.5", report("13800138000", "THREAT"));
    assertTrue(first.bodyAsJsonObject().getBoolean("counted"));
    assertFalse(second.bodyAsJsonObject().getBoolean("counted"));
    assertFalse(fromElsewhere.bodyAsJsonObject().getBoolean("counted"));

    JsonObject r = api().lookup("13800138000");
    assertEquals(1, r.getLong("reports"));
    assertEquals(1, r.getLong("reporters"));
    assertEquals(1, r.getLong("networks"));
    // Reporting again changes the category, not the counts.
    assertEquals(new JsonObject().put("THREAT", 1), r.getJsonObject("categories"));
  }

  @Test
  void oneTokenReportingManyTimesCannotBlock() {
    String token = api().establishedToken();
    for (int i = 1; i <= 10; i++) {
      api().report(token, "203.0." + i + ".9", report("13800138000", "THREAT"));
    }
    JsonObject r = api().lookup("13800138000");
    assertEquals(1, r.getLong("reports"));
    assertNotEquals("BLOCK", r.getString("verdict"));
  }

  @Test
  void retriedReportWithSameIdempotencyKeyIsCountedOnceAndGetsTheSameAnswer() {
    String token = api().establishedToken();
    JsonObject body = report("13800138000", "DEBT_COLLECTION").put("platform", "QuickLoan");
    HttpResponse<Buffer> first = api().report(token, "203.0.113.5", body, "Idempotency-Key", "k-1");
    HttpResponse<Buffer> retry = api().report(token, "203.0.113.5", body, "Idempotency-Key", "k-1");
    assertEquals(202, first.statusCode());
    assertEquals(202, retry.statusCode());
    assertEquals(first.bodyAsJsonObject(), retry.bodyAsJsonObject());
    assertTrue(retry.bodyAsJsonObject().getBoolean("counted"));
    assertEquals("true", retry.getHeader("Idempotent-Replayed"));
    assertEquals(1, api().lookup("13800138000").getLong("reports"));
    assertEquals(1L, redis.commands().xlen(reportLogKey("+8613800138000")));
  }

  @Test
  void concurrentRetriesAreCountedOnce(Vertx vertx, VertxTestContext testContext) {
    String token = api().establishedToken();
    String body = report("13800138000", "SILENT").encode();
    int retries = 20;
    Checkpoint answered = testContext.checkpoint(retries);
    Checkpoint sameAnswer = testContext.checkpoint();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < retries; i++) {
      all.add(api().request(HttpMethod.POST, "/v1/reports")
          .putHeader("Authorization", "Bearer " + token)
          .putHeader("Idempotency-Key", "same-key")
          .putHeader("Content-Type", "application/json")
          .sendBuffer(Buffer.buffer(body))
          .onSuccess(r -> testContext.verify(() -> {
            assertEquals(202, r.statusCode());
            answered.flag();
          })));
    }
    Future.all(all)
        .compose(done -> api().request(HttpMethod.GET, "/v1/numbers/13800138000").send())
        .onSuccess(lookup -> testContext.verify(() -> {
          Set<String> ids = new HashSet<>();
          all.forEach(f -> ids.add(f.result().bodyAsJsonObject().getString("reportId")));
          assertEquals(1, ids.size(), "every retry gets the same reportId");
          assertEquals(1, lookup.bodyAsJsonObject().getLong("reports"));
          sameAnswer.flag();
        }))
        .onFailure(testContext::failNow);
  }

  @Test
  void idempotencyKeyReusedForAnotherReportIsRefused() {
    String token = api().establishedToken();
    api().report(token, "203.0.113.5", report("13800138000", "DEBT_COLLECTION"), "Idempotency-Key", "k-2");
    HttpResponse<Buffer> reuse = api().report(token, "203.0.113.5", report("13800138000", "FRAUD"),
        "Idempotency-Key", "k-2");
    assertEquals(422, reuse.statusCode());
    assertEquals("idempotency_key_reused", reuse.bodyAsJsonObject().getString("error"));
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1), api().lookup("13800138000").getJsonObject("categories"));
  }

  @Test
  void sameIdempotencyKeyFromAnotherReporterIsAnotherReport() {
    api().report(api().establishedToken(), "203.0.113.5", report("13800138000", "THREAT"), "Idempotency-Key", "shared");
    HttpResponse<Buffer> other = api().report(api().establishedToken(), "198.51.100.5", report("13800138000", "THREAT"),
        "Idempotency-Key", "shared");
    assertTrue(other.bodyAsJsonObject().getBoolean("counted"));
    assertEquals(2, api().lookup("13800138000").getLong("reports"));
  }

  @Test
  void legitimateVotesPullABlockedNumberDown() {
    String number = "13800138000";
    blockWithFiveReporters(number);
    double blockedScore = api().lookup(number).getDouble("score");
    for (int i = 1; i <= 3; i++) {
      assertEquals(202, api().report(api().establishedToken(), "192.0." + (100 + i) + ".1", report(number, "LEGITIMATE"))
          .statusCode());
    }
    JsonObject r = api().lookup(number);
    assertTrue(r.getDouble("score") < blockedScore);
    assertEquals("WARN", r.getString("verdict"));
    assertTrue(r.getJsonArray("reasons").contains("COUNTER_VOTES"));
    assertEquals(8, r.getLong("reports"));
    assertEquals(5, r.getLong("reporters"));
    assertEquals(3, r.getJsonObject("categories").getLong("LEGITIMATE"));
  }

  @Test
  void reporterChangingToLegitimateLeavesTheQuorum() {
    String number = "13800138000";
    List<String> tokens = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      String token = api().establishedToken();
      tokens.add(token);
      api().report(token, "203.0." + i + ".1", report(number, "FRAUD"));
    }
    assertEquals("BLOCK", api().lookup(number).getString("verdict"));
    api().report(tokens.get(0), "203.0.1.1", report(number, "LEGITIMATE"));
    JsonObject r = api().lookup(number);
    assertEquals(2, r.getLong("reporters"));
    assertEquals(2, r.getLong("networks"));
    assertNotEquals("BLOCK", r.getString("verdict"));
  }

  @Test
  void evidenceAgesWithTheHalfLife() {
    String number = "13800138000";
    blockWithFiveReporters(number);
    double fresh = api().lookup(number).getDouble("score");
    clock.advance(Duration.ofDays(45));
    JsonObject aged = api().lookup(number);
    assertTrue(aged.getDouble("score") < fresh, "score decays");
    assertEquals("WARN", aged.getString("verdict"));
    clock.advance(Duration.ofDays(90));
    assertEquals("ALLOW", api().lookup(number).getString("verdict"));
    // Counts stay as history; only the weight fades.
    assertEquals(5, api().lookup(number).getLong("reports"));
  }

  @Test
  void votesOlderThanTheReportAgeLimitNoLongerMakeUpAQuorum() {
    // A number reported long ago by two networks, then recycled: one network with fresh tokens must not be able
    // to borrow the old reporters and networks for a BLOCK.
    String number = "13800138000";
    api().report(api().establishedToken(), "198.51.100.1", report(number, "DEBT_COLLECTION"));
    api().report(api().establishedToken(), "192.0.2.1", report(number, "DEBT_COLLECTION"));
    clock.advance(Duration.ofDays(300));
    for (int i = 1; i <= 3; i++) {
      assertEquals(202, api().report(api().establishedToken(), "203.0.113." + i, report(number, "THREAT")).statusCode());
    }
    JsonObject r = api().lookup(number);
    assertEquals(1, r.getLong("networks"), "only the fresh network counts");
    assertEquals(3, r.getLong("reporters"));
    assertNotEquals("BLOCK", r.getString("verdict"));
    assertEquals(5, r.getLong("reports"), "history keeps every report");
  }

  @Test
  void anExpiredReporterReportingAgainCountsAgainForTheQuorumButNotTheHistory() {
    String number = "13800138000";
    String token = api().establishedToken();
    api().report(token, "198.51.100.1", report(number, "DEBT_COLLECTION"));
    clock.advance(Duration.ofDays(61));
    api().report(api().establishedToken(), "192.0.2.1", report(number, "DEBT_COLLECTION"));
    HttpResponse<Buffer> again = api().report(token, "198.51.100.1", report(number, "THREAT"));
    assertFalse(again.bodyAsJsonObject().getBoolean("counted"));
    JsonObject r = api().lookup(number);
    assertEquals(2, r.getLong("reports"));
    assertEquals(2, r.getLong("reporters"));
    assertEquals(2, r.getLong("networks"));
  }

  @Test
  void oldCallsWeighLessThanFreshOnes() {
    assertEquals(202, api().report(api().establishedToken(), "203.0.113.5", report("13800138000", "THREAT")).statusCode());
    assertEquals(202, api().report(api().establishedToken(), "203.0.113.5", report("13800138001", "THREAT")
        .put("occurredAt", clock.instant().minus(Duration.ofDays(59)).toString())).statusCode());
    double old = api().lookup("13800138001").getDouble("score");
    assertTrue(old > 0, "the old call counts");
    assertTrue(old < api().lookup("13800138000").getDouble("score"));
  }

  @Test
  void callsOlderThanSixtyDaysOrInTheFutureAreRefused() {
    HttpResponse<Buffer> old = api().report(api().establishedToken(), "203.0.113.5", report("13800138000", "THREAT")
        .put("occurredAt", clock.instant().minus(Duration.ofDays(61)).toString()));
    HttpResponse<Buffer> future = api().report(api().establishedToken(), "203.0.113.5", report("13800138000", "THREAT")
        .put("occurredAt", clock.instant().plus(Duration.ofHours(1)).toString()));
    assertEquals(400, old.statusCode());
    assertEquals("report_too_old", old.bodyAsJsonObject().getString("error"));
    assertEquals(400, future.statusCode());
    assertEquals("occurred_in_future", future.bodyAsJsonObject().getString("error"));
    assertEquals(0, api().lookup("13800138000").getLong("reports"));
  }

  @Test
  void absurdTimesAndForwardedHopsAreClientErrors() {
    HttpResponse<Buffer> farFuture = api().report(api().establishedToken(), "203.0.113.5", report("13800138000", "THREAT")
        .put("occurredAt", "+999999999-01-01T00:00:00Z"));
    assertEquals(400, farFuture.statusCode());
    // A zone id in a forwarded hop is not an address of the client; the hop before it (the peer) is used.
    HttpResponse<Buffer> zoned = api().report(api().establishedToken(), "fe80::1%nosuchif", report("13800138000", "THREAT"));
    assertEquals(202, zoned.statusCode());
  }

  @Test
  void reportsAreStoredWithoutTheReporterIdentity() {
    String token = api().establishedToken();
    api().report(token, "203.0.113.77", report("13800138000", "THREAT").put("note", "called 20 times"));
    String everything = dumpRedis();
    assertFalse(everything.contains(token), "token stored in clear");
    assertFalse(everything.contains(token.substring(4)), "token body stored in clear");
    assertFalse(everything.contains("203.0.113"), "address stored in clear");
    assertTrue(everything.contains("called 20 times"), "the report itself is kept");
  }

  @Test
  void reportsStillWorkAfterRedisForgetsTheScripts() {
    api().report(api().establishedToken(), "203.0.113.5", report("13800138000", "THREAT"));
    redis.commands().scriptFlush();
    assertEquals(202, api().report(api().establishedToken(), "198.51.100.5", report("13800138000", "THREAT")).statusCode());
    assertEquals(2, api().lookup("13800138000").getLong("reports"));
  }

  static String reportLogKey(String e164) {
    int shard = org.dunblock.server.store.KeySchema.shardOf(e164);
    return org.dunblock.server.store.KeySchema.reports(shard);
  }

  static String dumpRedis() {
    StringBuilder all = new StringBuilder();
    var r = redis.commands();
    for (String key : r.keys("*")) {
      all.append(key).append('\n');
      switch (r.type(key)) {
        case "hash" -> all.append(r.hgetall(key)).append('\n');
        case "string" -> all.append(r.get(key)).append('\n');
        case "zset" -> all.append(r.zrange(key, 0, -1)).append('\n');
        case "stream" -> r.xrange(key, io.lettuce.core.Range.create("-", "+"))
            .forEach(m -> all.append(m.getBody()).append('\n'));
        default -> all.append("?\n");
      }
    }
    return all.toString();
  }
}
