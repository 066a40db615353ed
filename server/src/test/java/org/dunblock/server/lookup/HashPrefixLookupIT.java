package org.dunblock.server.lookup;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.CapturedLogs;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TwoServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GET /v1/numbers/hash-prefix/{prefix}: the lookup that never names the caller. A listed number is found under the
 * first 4 or 5 hex digits of its SHA-256, with exactly what its own lookup answers; what is absent is unreported.
 */
class HashPrefixLookupIT {
  static final String ADMIN_KEY = "hash-prefix-admin-key-0123456789abcdef";

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final CapturedLogs logs = new CapturedLogs();
  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).with(c -> c.accessLog(true).adminKey(ADMIN_KEY));

  static String sha256(String e164) {
    return Hashing.sha256().hashString(e164, StandardCharsets.UTF_8).toString();
  }

  /** Five established reporters on five networks: BLOCK (DESIGN.md rule 4). */
  static void block(Api api, String number) {
    for (int i = 1; i <= 5; i++) {
      assertEquals(202, api.report(api.establishedToken(), "203.0." + i + ".1",
          new JsonObject().put("number", number).put("category", "DEBT_COLLECTION")).statusCode());
    }
  }

  static HttpResponse<Buffer> hashPrefix(Api api, String prefix) {
    return api.get("/v1/numbers/hash-prefix/" + prefix);
  }

  /** The entry of {@code e164} in the answer for its hash's first {@code digits} hex digits, or null. */
  static JsonObject entry(Api api, String e164, int digits) {
    String hash = sha256(e164);
    HttpResponse<Buffer> response = hashPrefix(api, hash.substring(0, digits));
    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonArray numbers = response.bodyAsJsonObject().getJsonArray("numbers");
    for (int i = 0; i < numbers.size(); i++) {
      assertTrue(numbers.getJsonObject(i).getString("sha256").startsWith(hash.substring(0, digits)));
      if (hash.equals(numbers.getJsonObject(i).getString("sha256"))) {
        return numbers.getJsonObject(i);
      }
    }
    return null;
  }

  /** What a single lookup answers, as the hash-prefix answer gives it: under the hash, without the number. */
  static JsonObject asHashEntry(JsonObject lookup) {
    JsonObject expected = lookup.copy();
    String number = (String) expected.remove("number");
    return new JsonObject().put("sha256", sha256(number)).mergeIn(expected);
  }

  @Test
  void listedNumberIsFoundUnderItsHashPrefixWithItsOwnLookupsAnswer() {
    Api api = both.apiA();
    block(api, "+8613800138000");
    JsonObject lookup = api.settledLookup("+8613800138000");
    assertEquals("BLOCK", lookup.getString("verdict"));

    for (int digits : new int[] {4, 5}) {
      assertEquals(asHashEntry(lookup), entry(api, "+8613800138000", digits), digits + " hex digits");
    }
    HttpResponse<Buffer> response = hashPrefix(api, sha256("+8613800138000").substring(0, 5).toUpperCase());
    assertEquals(200, response.statusCode(), "upper-case hex is hex");
    assertEquals("public, max-age=60", response.getHeader("Cache-Control"));
    assertEquals(sha256("+8613800138000").substring(0, 5), response.bodyAsJsonObject().getString("prefix"));
    assertFalse(response.bodyAsString().contains("13800138000"), "the answer never names a number");
    List<String> accessLines = logs.lines().stream()
        .filter(l -> l.contains("route=" + LookupApi.HASH_PREFIX_ROUTE)).toList();
    assertFalse(accessLines.isEmpty(), logs.lines().toString());
    assertTrue(accessLines.stream().noneMatch(l -> l.contains("13800138000")), accessLines.toString());
  }

  @Test
  void unlistedNumberIsAbsentFromItsPrefixsAnswer() {
    Api api = both.apiA();
    block(api, "+8613800138000");
    assertEquals(0, api.settledLookup("+8613900139000").getLong("reports"));
    assertNull(entry(api, "+8613900139000", 4));
    assertNull(entry(api, "+8613900139000", 5));
  }

  @Test
  void malformedPrefixesAreRefusedWithAJsonError() {
    for (String prefix : List.of("abc", "abcdef", "0123456789abcdef", "xyz12", "12g4", "+8613", "12%2034")) {
      HttpResponse<Buffer> response = hashPrefix(both.apiA(), prefix);
      assertEquals(400, response.statusCode(), prefix);
      assertEquals("invalid_hash_prefix", response.bodyAsJsonObject().getString("error"), prefix);
      assertNotNull(response.bodyAsJsonObject().getString("message"), prefix);
    }
  }

  @Test
  void numberListedThroughAIsInBsAnswerWithinTheFilterFollowDelay() {
    Api b = both.apiB();
    String number = "+8613700137000";
    // B started from A's filter checkpoint, which holds no hash-prefix index: B says 503 until it built its own.
    waitUntil("B's hash-prefix index", Duration.ofSeconds(10), () -> hashPrefix(b, "0000").statusCode() == 200);
    assertNull(entry(b, number, 5));
    assertEquals(202, both.apiA().report(both.apiA().newToken(), "198.51.100.7",
        new JsonObject().put("number", number).put("category", "THREAT")).statusCode());
    waitUntil("B's hash-prefix answer holds the number", Duration.ofSeconds(5), () -> entry(b, number, 5) != null);
    assertEquals(asHashEntry(b.settledLookup(number)), entry(b, number, 5));
  }

  @Test
  void protectedAndRangeNumbersAnswerAsTheirOwnLookups() {
    Api api = both.apiA();
    // A short service number (DESIGN.md rule 9) is at most WARN, whatever the crowd says.
    block(api, "95588");
    JsonObject service = api.settledLookup("95588");
    assertEquals("WARN", service.getString("verdict"), service.encode());
    assertEquals(asHashEntry(service), entry(api, service.getString("number"), 5));

    // Four blocked lines of a block of 100 put the rest of it on WARN (RANGE): an unreported member is listed too.
    for (int line = 0; line < 4; line++) {
      block(api, "+861380013800" + line);
    }
    waitUntil("the range", Duration.ofSeconds(5),
        () -> "WARN".equals(api.settledLookup("+8613800138077").getString("verdict")));
    JsonObject member = api.settledLookup("+8613800138077");
    assertEquals(new JsonArray().add("RANGE"), member.getJsonArray("reasons"));
    assertEquals(asHashEntry(member), entry(api, "+8613800138077", 5));
    assertNull(entry(api, "+8613800138177", 5), "the next block is clean");
  }

  @Test
  void prefixOverridesAreNamedSoAClientKnowsOnlyItsOwnLookupAnswersThem() {
    Api api = both.apiA();
    assertEquals(200, Api.await(api.request(HttpMethod.PUT, "/v1/admin/overrides/prefixes/+86138001")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("verdict", "BLOCK").put("reason", "collector").encode())))
        .statusCode());
    waitUntil("B names the prefix override", Duration.ofSeconds(5), () -> hashPrefix(both.apiB(), "0000")
        .bodyAsJsonObject().getJsonArray("prefixOverrides").contains("+86138001"));
  }
}
