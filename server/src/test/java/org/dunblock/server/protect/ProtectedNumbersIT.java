package org.dunblock.server.protect;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.reputation.ProtectionKind;
import org.dunblock.server.keys.Role;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TwoServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DESIGN.md rule 9: protected numbers are never blocked by the crowd; the register of verified callers. */
@ExtendWith(VertxExtension.class)
class ProtectedNumbersIT {
  static final String ADMIN_KEY = "protected-numbers-admin-key-0123456789";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).with(c -> c.adminKey(ADMIN_KEY));

  /** Fifteen fresh reporters on fifteen networks report the number as THREAT. */
  void fifteenNetworksThreaten(String number, String region) {
    for (int i = 1; i <= 15; i++) {
      JsonObject body = new JsonObject().put("number", number).put("category", "THREAT").put("region", region);
      assertEquals(202, both.apiA().report(both.apiA().newToken(), "203.0." + i + ".10", body).statusCode());
    }
  }

  HttpResponse<Buffer> call(Api api, HttpMethod method, String path, String key, JsonObject body) {
    var request = api.request(method, path);
    if (key != null) {
      request.putHeader("Authorization", "Bearer " + key);
    }
    return Api.await(body == null ? request.send() : request.sendJsonObject(body));
  }

  HttpResponse<Buffer> register(String number, String name) {
    return call(both.apiA(), HttpMethod.PUT, "/v1/admin/verified-callers/" + number, ADMIN_KEY,
        new JsonObject().put("name", name).put("category", "BANK").put("reason", "bank's letter of 2026-11-30"));
  }

  @Test
  void emergencyNumbersStayAllowAfterThreatsFromFifteenNetworks() {
    for (String number : new String[] {"110", "120", "112"}) {
      fifteenNetworksThreaten(number, "CN");
      JsonObject r = both.apiB().lookupWithin("+86" + number, number + " reaches B with its 15 reports",
          a -> a.getLong("reports") == 15);
      assertEquals("ALLOW", r.getString("verdict"), number);
      assertTrue(r.getJsonArray("reasons").contains("PROTECTED_NUMBER"), number + " " + r);
      // Stored and counted all the same, for operators to review.
      assertEquals(15, r.getLong("reports"), number);
      assertEquals(15, r.getLong("networks"), number);
    }
  }

  @Test
  void serviceNumberReachesAtMostWarn() {
    fifteenNetworksThreaten("95588", "CN");
    JsonObject r = both.apiB().verdictWithin("+8695588", "WARN");
    assertTrue(r.getJsonArray("reasons").contains("PROTECTED_NUMBER"), r.encode());
  }

  @Test
  void adminOverrideBlocksAServiceNumber() {
    fifteenNetworksThreaten("95588", "CN");
    HttpResponse<Buffer> put = call(both.apiA(), HttpMethod.PUT, "/v1/admin/overrides/95588", ADMIN_KEY,
        new JsonObject().put("verdict", "BLOCK").put("reason", "the line was taken over by a collector"));
    assertEquals(200, put.statusCode(), put.bodyAsString());
    JsonObject r = both.apiB().verdictWithin("+8695588", "BLOCK");
    assertEquals("OPERATOR_OVERRIDE", r.getJsonArray("reasons").getString(0));
    assertFalse(r.getJsonArray("reasons").contains("PROTECTED_NUMBER"));
  }

  @Test
  void verifiedCallerRegisteredOnOneInstanceIsCappedOnTheOtherWithinASecond() {
    String number = "+8613800138123";
    fifteenNetworksThreaten(number, null);
    both.apiB().verdictWithin(number, "BLOCK");
    HttpResponse<Buffer> put = register("138-0013-8123", "ICBC Beijing branch");
    assertEquals(200, put.statusCode(), put.bodyAsString());
    assertEquals("added", put.bodyAsJsonObject().getString("outcome"));
    assertEquals(number, put.bodyAsJsonObject().getString("number"));
    assertEquals("WARN", both.apiA().lookup(number).getString("verdict"), "at once on the instance that wrote it");
    assertTrue(both.apiB().verdictWithin(number, "WARN").getJsonArray("reasons").contains("PROTECTED_NUMBER"));

    HttpResponse<Buffer> delete = Api.await(both.apiA().request(HttpMethod.DELETE,
            "/v1/admin/verified-callers/" + number).addQueryParam("reason", "contract ended")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send());
    assertEquals(200, delete.statusCode(), delete.bodyAsString());
    both.apiB().verdictWithin(number, "BLOCK");
  }

  @Test
  void theRegisterIsAdminOnly() {
    String operator = new KeyRegistry(redis.commands(), Clock.systemUTC()).create(Role.OPERATOR, "op", "test")
        .secret();
    JsonObject body = new JsonObject().put("name", "A bank");
    for (Object[] route : new Object[][] {
        {HttpMethod.PUT, "/v1/admin/verified-callers/95588", body},
        {HttpMethod.DELETE, "/v1/admin/verified-callers/95588?reason=x", null},
        {HttpMethod.GET, "/v1/admin/verified-callers", null},
        {HttpMethod.POST, "/v1/admin/verified-callers/import", null}}) {
      HttpMethod method = (HttpMethod) route[0];
      String path = (String) route[1];
      assertEquals(401, call(both.apiA(), method, path, null, (JsonObject) route[2]).statusCode(), path);
      assertEquals(403, call(both.apiA(), method, path, operator, (JsonObject) route[2]).statusCode(), path);
    }
    assertEquals(0, call(both.apiA(), HttpMethod.GET, "/v1/admin/verified-callers", ADMIN_KEY, null)
        .bodyAsJsonObject().getLong("total"));
  }

  @Test
  void everyRegisterChangeIsAudited() {
    assertEquals(200, register("95533", "CCB").statusCode());
    assertEquals("unchanged", register("95533", "CCB").bodyAsJsonObject().getString("outcome"));
    assertEquals("updated", register("95533", "China Construction Bank").bodyAsJsonObject().getString("outcome"));
    assertEquals(200, Api.await(both.apiA().request(HttpMethod.DELETE, "/v1/admin/verified-callers/95533")
        .addQueryParam("reason", "wrong entry").putHeader("Authorization", "Bearer " + ADMIN_KEY).send())
        .statusCode());
    JsonArray entries = call(both.apiB(), HttpMethod.GET, "/v1/admin/audit", ADMIN_KEY, null).bodyAsJsonObject()
        .getJsonArray("entries");
    JsonArray mine = new JsonArray();
    entries.forEach(e -> {
      JsonObject entry = (JsonObject) e;
      if ("+8695533".equals(entry.getString("target"))) {
        mine.add(entry);
      }
    });
    assertEquals(3, mine.size(), mine.encodePrettily());
    assertEquals("verified-caller.remove", mine.getJsonObject(0).getString("action"));
    assertEquals("wrong entry", mine.getJsonObject(0).getString("reason"));
    assertEquals("verified-caller.set", mine.getJsonObject(1).getString("action"));
    assertTrue(mine.getJsonObject(1).getString("details").contains("China Construction Bank"));
    assertEquals("bank's letter of 2026-11-30", mine.getJsonObject(2).getString("reason"));
    assertNotNull(mine.getJsonObject(2).getString("actor"));
  }

  @Test
  void emergencyNumbersCannotBeRegistered() {
    HttpResponse<Buffer> put = register("110", "Police");
    assertEquals(400, put.statusCode());
    assertEquals("emergency_number", put.bodyAsJsonObject().getString("error"));
  }

  @Test
  void bulkImportRegistersValidLinesAndListsTheRest() {
    String csv = "number,name,category,note\n"
        + "95588,\"ICBC, customer line\",BANK,\n"
        + "+8613800138124,Peking Union Medical College Hospital,HOSPITAL,switchboard\n"
        + "110,Police,GOVERNMENT,\n"
        + "not-a-number,Nobody,OTHER,\n";
    HttpResponse<Buffer> imported = Api.await(both.apiA().request(HttpMethod.POST, "/v1/admin/verified-callers/import")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "text/csv")
        .sendBuffer(Buffer.buffer(csv)));
    assertEquals(200, imported.statusCode(), imported.bodyAsString());
    JsonObject summary = imported.bodyAsJsonObject();
    assertEquals(2, summary.getLong("added"), summary.encode());
    assertEquals(2, summary.getLong("invalid"));
    JsonObject page = call(both.apiB(), HttpMethod.GET, "/v1/admin/verified-callers?limit=1", ADMIN_KEY, null)
        .bodyAsJsonObject();
    assertEquals(2, page.getLong("total"));
    assertEquals(1, page.getJsonArray("callers").size());
    String next = page.getString("next");
    JsonObject rest = call(both.apiB(), HttpMethod.GET, "/v1/admin/verified-callers?limit=1&after=" + next.replace("+", "%2B"),
        ADMIN_KEY, null).bodyAsJsonObject();
    assertEquals(1, rest.getJsonArray("callers").size());
    assertTrue(java.util.Set.of("+8613800138124", "+8695588").contains(rest.getJsonArray("callers")
        .getJsonObject(0).getString("number")));
    assertEquals("ICBC, customer line", java.util.stream.Stream.of(page, rest)
        .flatMap(p -> p.getJsonArray("callers").stream()).map(JsonObject.class::cast)
        .filter(c -> c.getString("number").equals("+8695588")).findFirst().orElseThrow().getString("name"));
  }

  @Test
  void theImportChecksTheKeyBeforeReadingAndBoundsTheBody() {
    Buffer huge = Buffer.buffer("95588,ICBC,BANK,\n".repeat((int) (VerifiedCallerApi.MAX_IMPORT_BYTES / 16 + 1000)));
    HttpResponse<Buffer> anonymous = Api.await(both.apiA().request(HttpMethod.POST, "/v1/admin/verified-callers/import")
        .putHeader("Content-Type", "text/csv").sendBuffer(huge));
    // Refused for the missing key, not for the size: nothing of the body was buffered first.
    assertEquals(401, anonymous.statusCode(), anonymous.bodyAsString());
    HttpResponse<Buffer> tooLarge = Api.await(both.apiA().request(HttpMethod.POST, "/v1/admin/verified-callers/import")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "text/csv").sendBuffer(huge));
    assertEquals(413, tooLarge.statusCode(), tooLarge.bodyAsString());
    assertEquals("body_too_large", tooLarge.bodyAsJsonObject().getString("error"));
    assertEquals(0, call(both.apiA(), HttpMethod.GET, "/v1/admin/verified-callers", ADMIN_KEY, null)
        .bodyAsJsonObject().getLong("total"), "nothing registered");
  }

  @Test
  void unreportedProtectedNumbersTakeTheFastPathAlikeOnBothInstances() {
    assertEquals(200, register("+8613800138125", "A courier").statusCode());
    waitUntil("B has the register entry", Duration.ofSeconds(1),
        () -> both.b().protection().kind("+8613800138125") == ProtectionKind.VERIFIED_CALLER);
    Map<String, Long> before = redis.commandCalls();
    for (String number : new String[] {"+86110", "+86120", "+8695588", "+8610086", "+8613800138125"}) {
      String a = both.apiA().get("/v1/numbers/" + number).bodyAsString();
      String b = both.apiB().get("/v1/numbers/" + number).bodyAsString();
      assertEquals(a, b, number);
      JsonObject r = new JsonObject(a);
      assertEquals("ALLOW", r.getString("verdict"), number);
      assertEquals(new JsonArray(), r.getJsonArray("reasons"), number);
    }
    Map<String, Long> since = redis.commandsSince(before);
    // The verified caller's "V:" entry is in the filters, but a lookup probes the number itself: no Redis command,
    // so neither the answer nor its timing tells a registered number from any unlisted one.
    assertEquals(Map.of(), since);
  }

  @Test
  void operatorsSeeReportsAboutProtectedNumbers() {
    fifteenNetworksThreaten("110", "CN");
    JsonObject pack = call(both.apiB(), HttpMethod.GET, "/v1/evidence/numbers/%2B86110", ADMIN_KEY, null)
        .bodyAsJsonObject();
    assertEquals("ALLOW", pack.getString("verdict"));
    JsonObject protection = pack.getJsonObject("protected");
    assertNotNull(protection, pack.encode());
    assertEquals("EMERGENCY", protection.getString("kind"));
    assertEquals("BLOCK", protection.getString("crowdVerdict"));
    assertTrue(protection.getBoolean("capped"));

    JsonObject stats = call(both.apiB(), HttpMethod.GET, "/v1/admin/stats", ADMIN_KEY, null).bodyAsJsonObject();
    JsonObject listed = stats.getJsonArray("protectedNumbers").getJsonObject(0);
    assertEquals("+86110", listed.getString("number"));
    assertEquals("EMERGENCY", listed.getString("kind"));
    assertEquals("ALLOW", listed.getString("verdict"));
    assertEquals("BLOCK", listed.getString("crowdVerdict"));
    assertEquals(15, listed.getLong("reporters"));
  }
}
