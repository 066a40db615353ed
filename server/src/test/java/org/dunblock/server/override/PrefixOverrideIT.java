package org.dunblock.server.override;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TwoServers;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Operators put a whole block of numbers (a prefix) on ALLOW or BLOCK; the fast path stays exact. */
@ExtendWith(VertxExtension.class)
class PrefixOverrideIT {
  static final String ADMIN_KEY = "prefix-walk-admin-key-0123456789abcdef";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).with(c -> c.adminKey(ADMIN_KEY));

  HttpResponse<Buffer> putPrefix(String prefix, String verdict) {
    return Api.await(both.apiA().request(HttpMethod.PUT, "/v1/admin/overrides/prefixes/" + prefix)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("verdict", verdict).put("reason", "collector block, notice 17").toBuffer()));
  }

  @Test
  void aBlockedPrefixBlocksEveryNumberUnderItOnEveryInstance() {
    HttpResponse<Buffer> set = putPrefix("+86138001", "BLOCK");
    assertEquals(200, set.statusCode(), set.bodyAsString());
    assertEquals("+86138001", set.bodyAsJsonObject().getString("prefix"));
    waitUntil("B's filter holds the prefix", Duration.ofSeconds(1),
        () -> both.b().filter().mightContain("P:+86138001"));

    for (String inside : new String[] {"13800100000", "13800155555", "+86 138 0019 9999"}) {
      JsonObject r = both.apiB().lookup(inside.replace(" ", "%20").replace("+", "%2B"));
      assertEquals("BLOCK", r.getString("verdict"), inside);
      assertEquals(new JsonArray().add("OPERATOR_OVERRIDE"), r.getJsonArray("reasons"));
      assertEquals(0, r.getLong("reports"));
    }
    assertEquals("ALLOW", both.apiB().lookup("13800200000").getString("verdict"));

    // Unrelated unreported numbers still cost Redis nothing.
    Map<String, Long> before = redis.commandCalls();
    for (int i = 0; i < 100; i++) {
      assertEquals("ALLOW", both.apiB().lookup("+861590000" + String.format("%04d", i)).getString("verdict"));
    }
    assertEquals(Map.of(), redis.commandsSince(before));
  }

  @Test
  void aNumberOverrideBeatsItsPrefixAndTheLongestPrefixWins() {
    assertEquals(200, putPrefix("+86138001", "BLOCK").statusCode());
    assertEquals(200, putPrefix("+861380012", "ALLOW").statusCode());
    assertEquals("BLOCK", both.apiA().lookup("13800110000").getString("verdict"));
    assertEquals("ALLOW", both.apiA().lookup("13800120000").getString("verdict"));
    Api.await(both.apiA().request(HttpMethod.PUT, "/v1/admin/overrides/13800120001")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("verdict", "BLOCK").put("reason", "this one is a collector").toBuffer()));
    assertEquals("BLOCK", both.apiA().lookup("13800120001").getString("verdict"));
  }

  @Test
  void anAllowedPrefixClearsCrowdBlocksUnderItUntilLifted() {
    String number = "13800133333";
    for (int i = 1; i <= 5; i++) {
      both.apiA().report(both.apiA().establishedToken(), "203.0." + i + ".1", new JsonObject().put("number", number)
          .put("category", "DEBT_COLLECTION"));
    }
    assertEquals("BLOCK", both.apiA().lookup(number).getString("verdict"));
    assertEquals(200, putPrefix("+86138001", "ALLOW").statusCode());
    // Rule 1: the override reaches every instance's filter within a second of the write.
    waitUntil("B's filter holds the prefix", Duration.ofSeconds(1),
        () -> both.b().filter().mightContain("P:+86138001"));
    JsonObject allowed = both.apiB().lookup(number);
    assertEquals("ALLOW", allowed.getString("verdict"));
    assertTrue(allowed.getJsonArray("reasons").contains("CROWD_REPORTS"));

    HttpResponse<Buffer> lifted = Api.await(both.apiA()
        .request(HttpMethod.DELETE, "/v1/admin/overrides/prefixes/+86138001")
        .addQueryParam("reason", "bank moved its lines")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send());
    assertEquals(200, lifted.statusCode(), lifted.bodyAsString());
    // B had the prefix's record cached: Redis's invalidation reaches it within rule 1's second.
    both.apiB().verdictWithin(number, "BLOCK");
  }

  @Test
  void prefixesThatNameACountryOrAreaOrAlmostANumberAreRefused() {
    for (String prefix : new String[] {"+86", "+86138", "+8613800138001", "86138001"}) {
      HttpResponse<Buffer> r = putPrefix(prefix, "BLOCK");
      assertEquals(400, r.statusCode(), prefix);
      assertEquals("invalid_prefix", r.bodyAsJsonObject().getString("error"), prefix);
    }
  }
}
