package org.dunblock.server.override;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TwoServers;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DESIGN.md rule 5: an operator override beats the crowd, on every instance, audited. */
@ExtendWith(VertxExtension.class)
class OverrideIT {
  static final String ADMIN_KEY = "an-operator-chosen-admin-key-0123456789";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  final MutableClock clock = new MutableClock(Instant.now());
  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).with(c -> c.adminKey(ADMIN_KEY)).clock(clock);

  HttpResponse<Buffer> put(String number, String verdict, String reason) {
    return Api.await(both.apiA().request(HttpMethod.PUT, "/v1/admin/overrides/" + number)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("verdict", verdict).put("reason", reason).toBuffer()));
  }

  HttpResponse<Buffer> delete(String number, String reason) {
    return Api.await(both.apiA().request(HttpMethod.DELETE, "/v1/admin/overrides/" + number)
        .addQueryParam("reason", reason)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .send());
  }

  JsonArray audit() {
    return Api.await(both.apiB().request(HttpMethod.GET, "/v1/admin/audit")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send()).bodyAsJsonObject().getJsonArray("entries");
  }

  void crowdBlocks(String number) {
    for (int i = 1; i <= 5; i++) {
      both.apiA().report(both.apiA().establishedToken(), "203.0." + i + ".1", new JsonObject().put("number", number)
          .put("category", "DEBT_COLLECTION"));
    }
    both.apiB().verdictWithin(number, "BLOCK");
  }

  @Test
  void allowOverrideBeatsTheCrowdEverywhereAndIsAudited() {
    String number = "+8613800138000";
    crowdBlocks(number);
    HttpResponse<Buffer> set = put(number, "ALLOW", "Official hotline of a bank, confirmed by phone");
    assertEquals(200, set.statusCode(), set.bodyAsString());
    assertEquals(null, set.bodyAsJsonObject().getValue("previous"), "no override before");

    for (Api api : new Api[] {both.apiA(), both.apiB()}) {
      JsonObject r = api.verdictWithin(number, "ALLOW");
      assertEquals("OPERATOR_OVERRIDE", r.getJsonArray("reasons").getString(0));
      assertEquals(5, r.getLong("reports"), "crowd evidence is still shown");
    }
    // More crowd reports do not move it.
    both.apiA().report(both.apiA().establishedToken(), "203.0.9.1",
        new JsonObject().put("number", number).put("category", "THREAT"));
    assertEquals("ALLOW", both.apiB().lookup(number).getString("verdict"));

    JsonObject entry = audit().getJsonObject(0);
    assertEquals("override.set", entry.getString("action"));
    assertEquals(number, entry.getString("target"));
    assertEquals("Official hotline of a bank, confirmed by phone", entry.getString("reason"));
    assertEquals(set.bodyAsJsonObject().getString("by"), entry.getString("actor"));
    assertTrue(entry.getString("at").startsWith("20"));

    assertEquals(200, delete(number, "bank changed its hotline").statusCode());
    both.apiB().verdictWithin(number, "BLOCK");
    assertEquals("override.clear", audit().getJsonObject(0).getString("action"));
    assertEquals(404, delete(number, "again").statusCode());
  }

  @Test
  void blockOverrideOnAnUnreportedNumberReachesEveryFilterWithinOneSecond() {
    String number = "+8613900139000";
    assertEquals("ALLOW", both.apiB().lookup(number).getString("verdict"));
    assertEquals(200, put(number, "BLOCK", "Regulator notice 2026-117").statusCode());
    waitUntil("B's filter holds the overridden number", Duration.ofSeconds(1),
        () -> both.b().filter().mightContain(number));
    JsonObject r = both.apiB().lookup(number);
    assertEquals("BLOCK", r.getString("verdict"));
    assertEquals(new JsonArray().add("OPERATOR_OVERRIDE"), r.getJsonArray("reasons"));
    assertEquals(0, r.getLong("reports"));
  }

  @Test
  void overridesOutliveTheRetentionOfCrowdEvidence() {
    String number = "+8613800138000";
    crowdBlocks(number);
    put(number, "BLOCK", "Confirmed collector");
    clock.advance(Duration.ofDays(400));
    JsonObject r = both.apiA().lookup(number);
    assertEquals("BLOCK", r.getString("verdict"));
    assertEquals(new JsonArray().add("OPERATOR_OVERRIDE"), r.getJsonArray("reasons"));
  }

  @Test
  void overridesNeedAVerdictAndAReason() {
    assertEquals("invalid_verdict", put("13800138000", "WARN", "x").bodyAsJsonObject().getString("error"));
    assertEquals("missing_field", put("13800138000", "BLOCK", "  ").bodyAsJsonObject().getString("error"));
    assertEquals("invalid_number", put("12", "BLOCK", "x").bodyAsJsonObject().getString("error"));
    assertFalse(both.a().filter().mightContain("+8613800138000"));
  }
}
