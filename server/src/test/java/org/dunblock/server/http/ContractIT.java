package org.dunblock.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The v1 HTTP contract as a client sees it: status codes, bodies, headers and the one JSON error shape, for every
 * endpoint and its error cases. One server for the class; every test uses numbers no other test touches.
 */
@ExtendWith(VertxExtension.class)
class ContractIT {
  static final String E164 = "+8613800138000";
  /** Each test takes fresh numbers from here so that tests never see each other's reports. */
  static final AtomicInteger NEXT_NUMBER = new AtomicInteger();

  static TestRedis redis;
  static DunblockServer server;
  static Api api;
  static Vertx vertx;

  @BeforeAll
  static void start(Vertx v) {
    vertx = v;
    redis = TestRedis.start();
    server = TestServers.start(TestServers.config(redis));
    api = new Api(vertx, server.port());
  }

  @AfterAll
  static void stop() {
    api.close();
    server.close();
    redis.close();
  }

  // ---------------------------------------------------------------- lookup

  @ParameterizedTest
  @ValueSource(strings = {
      "%2B86%20138%200013%208000", // "+86 138 0013 8000", URL-encoded
      "+86%20138%200013%208000",
      "138-0013-8000",
      "008613800138000",
      "13800138000",
      "%2B8613800138000"})
  void lookupAcceptsNumbersAsPeopleWriteThem(String path) {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/v1/numbers/" + path, null);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals(E164, response.bodyAsJsonObject().getString("number"));
  }

  @Test
  void lookupOfUnreportedNumberHasTheFullShape() {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/v1/numbers/" + enc(freshNumber()), null);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertJsonContentType(response);
    assertEquals("public, max-age=60", response.getHeader("Cache-Control"));
    JsonObject body = response.bodyAsJsonObject();
    assertEquals(unreported(body.getString("number")), body);
    // Explicit nulls, not missing fields: clients read them without a schema.
    assertTrue(body.containsKey("firstReported") && body.getValue("firstReported") == null);
    assertTrue(body.containsKey("lastReported") && body.getValue("lastReported") == null);
    assertFalse(body.containsKey("degraded"));
  }

  @Test
  void lookupReadsNationalNumbersInTheGivenRegion() {
    for (String region : List.of("US", "us")) {
      HttpResponse<Buffer> response = send(HttpMethod.GET, "/v1/numbers/650-253-0000?region=" + region, null);
      assertEquals(200, response.statusCode(), response.bodyAsString());
      assertEquals("+16502530000", response.bodyAsJsonObject().getString("number"));
    }
    // The same digits are no number in the default region (CN).
    assertError(send(HttpMethod.GET, "/v1/numbers/650-253-0000", null), 400, "invalid_number");
    // An international number ignores the region.
    HttpResponse<Buffer> international = send(HttpMethod.GET, "/v1/numbers/%2B8613800138000?region=US", null);
    assertEquals(E164, international.bodyAsJsonObject().getString("number"));
  }

  @Test
  void shortServiceNumbersAreNumbersOfTheirRegion() {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/v1/numbers/95588", null);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals("+8695588", response.bodyAsJsonObject().getString("number"));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "hello",
      "%20",
      "%20%20%20",
      "1234567890123456789012345678901234567890", // 40 digits
      "1380013800", // one digit short
      "00000000000",
      "%2B999%201234567", // no such country code
      "0",
      "%2B86",
      "12345678901234567890123456789012345678901234567890"}) // over the input limit
  void lookupRefusesWhatIsNotAPhoneNumber(String path) {
    assertError(send(HttpMethod.GET, "/v1/numbers/" + path, null), 400, "invalid_number");
  }

  @ParameterizedTest
  @ValueSource(strings = {"XX", "USA", "1", "", "%20", "ZZ"})
  void lookupRefusesAnUnknownRegion(String region) {
    assertError(send(HttpMethod.GET, "/v1/numbers/13800138000?region=" + region, null), 400, "invalid_region");
  }

  // ---------------------------------------------------------------- batch lookup

  @Test
  void batchKeepsOrderAndDuplicatesAndReportsBadItemsInPlace() {
    JsonObject body = new JsonObject().put("numbers", new JsonArray().add("13800138000").add("95588").add("hello")
        .add("+86 138 0013 8000").add("95588").add("").add("008613800138000"));
    HttpResponse<Buffer> response = send(HttpMethod.POST, "/v1/numbers/lookup", body.encode());
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertJsonContentType(response);
    assertEquals("no-cache", response.getHeader("Cache-Control"));
    JsonArray results = response.bodyAsJsonObject().getJsonArray("results");
    assertEquals(7, results.size(), results.encode());
    assertEquals(unreported(E164), results.getJsonObject(0));
    assertEquals(unreported("+8695588"), results.getJsonObject(1));
    assertItemError(results.getJsonObject(2), "hello");
    assertEquals(unreported(E164), results.getJsonObject(3));
    assertEquals(unreported("+8695588"), results.getJsonObject(4));
    assertItemError(results.getJsonObject(5), "");
    assertEquals(unreported(E164), results.getJsonObject(6));
  }

  @Test
  void batchShowsReportedNumbersLikeSingleLookups() {
    String number = freshNumber();
    assertEquals(202, report(api.newToken(), debt(number)).statusCode());
    JsonObject single = api.lookup(enc(number));
    HttpResponse<Buffer> response = send(HttpMethod.POST, "/v1/numbers/lookup",
        new JsonObject().put("numbers", new JsonArray().add(number).add("95588")).encode());
    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonArray results = response.bodyAsJsonObject().getJsonArray("results");
    assertEquals(single, results.getJsonObject(0));
    assertEquals(1, single.getLong("reports"));
  }

  @Test
  void batchReadsNationalNumbersInTheBodyRegion() {
    HttpResponse<Buffer> response = send(HttpMethod.POST, "/v1/numbers/lookup",
        new JsonObject().put("numbers", new JsonArray().add("650-253-0000").add("+86 138 0013 8000"))
            .put("region", "US").encode());
    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonArray results = response.bodyAsJsonObject().getJsonArray("results");
    assertEquals("+16502530000", results.getJsonObject(0).getString("number"));
    assertEquals(E164, results.getJsonObject(1).getString("number"));

    assertError(send(HttpMethod.POST, "/v1/numbers/lookup",
        new JsonObject().put("numbers", new JsonArray().add("13800138000")).put("region", "XX").encode()),
        400, "invalid_region");
  }

  @Test
  void batchTakesAThousandNumbersButNotOneMore() {
    JsonArray thousand = new JsonArray();
    for (int i = 0; i < 1000; i++) {
      thousand.add("+86 138 0013 " + String.format("%04d", i));
    }
    HttpResponse<Buffer> ok = send(HttpMethod.POST, "/v1/numbers/lookup",
        new JsonObject().put("numbers", thousand).encode());
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
    JsonArray results = ok.bodyAsJsonObject().getJsonArray("results");
    assertEquals(1000, results.size());
    assertEquals("+8613800130999", results.getJsonObject(999).getString("number"));

    thousand.add("13800138000");
    assertError(send(HttpMethod.POST, "/v1/numbers/lookup", new JsonObject().put("numbers", thousand).encode()),
        400, "too_many_numbers");
  }

  @Test
  void batchRefusesMalformedRequests() {
    String path = "/v1/numbers/lookup";
    assertError(send(HttpMethod.POST, path, "{\"numbers\": []}"), 400, "invalid_field");
    assertError(send(HttpMethod.POST, path, "{}"), 400, "missing_field");
    assertError(send(HttpMethod.POST, path, "{\"numbers\": null}"), 400, "missing_field");
    assertError(send(HttpMethod.POST, path, "{\"numbers\": \"13800138000\"}"), 400, "invalid_field");
    assertError(send(HttpMethod.POST, path, "{\"numbers\": {\"a\": \"13800138000\"}}"), 400, "invalid_field");
    assertError(send(HttpMethod.POST, path, "{\"numbers\": [\"13800138000\", 13800138001]}"), 400,
        "invalid_field");
    assertError(send(HttpMethod.POST, path, "{\"numbers\": [[\"13800138000\"]]}"), 400, "invalid_field");
    assertError(send(HttpMethod.POST, path, "{\"numbers\": [\"13800138000\"], \"region\": 86}"), 400,
        "invalid_field");
    assertError(send(HttpMethod.POST, path, "{\"numbers\": [\"13800138000\"], \"limit\": 5}"), 400,
        "unknown_field");
    assertError(send(HttpMethod.POST, path, "{\"numbers\": [\"13800138000\"]"), 400, "invalid_json");
    assertError(send(HttpMethod.POST, path, "numbers=13800138000"), 400, "invalid_json");
    assertError(send(HttpMethod.POST, path, "[\"13800138000\"]"), 400, "invalid_json");
    assertError(send(HttpMethod.POST, path, "\"13800138000\""), 400, "invalid_json");
    assertError(send(HttpMethod.POST, path, ""), 400, "invalid_json");
    assertError(send(HttpMethod.POST, path, null), 400, "invalid_json");
  }

  @Test
  void bodiesOverTheLimitAre413() {
    int limit = 2048;
    try (TestRedis ownRedis = TestRedis.start()) {
      DunblockServer small = TestServers.start(TestServers.config(ownRedis).maxBodyBytes(limit));
      Api smallApi = new Api(vertx, small.port());
      try {
        String fits = padded(limit);
        String tooBig = padded(limit + 1);
        HttpResponse<Buffer> ok = send(smallApi, HttpMethod.POST, "/v1/numbers/lookup", fits);
        assertEquals(200, ok.statusCode(), ok.bodyAsString());
        assertError(send(smallApi, HttpMethod.POST, "/v1/numbers/lookup", tooBig), 413, "body_too_large");
        assertError(send(smallApi, HttpMethod.POST, "/v1/numbers/lookup", padded(100 * limit)), 413,
            "body_too_large");

        String token = smallApi.newToken();
        String number = freshNumber();
        String bigNote = new JsonObject().put("number", number).put("category", "THREAT")
            .put("note", "x".repeat(limit)).encode();
        assertError(send(smallApi, HttpMethod.POST, "/v1/reports", bigNote, "Authorization", "Bearer " + token),
            413, "body_too_large");
        assertEquals(unreported(number), smallApi.lookup(enc(number)));
        assertNothingStored(ownRedis, number);
      } finally {
        smallApi.close();
        small.close();
      }
    }
  }

  /** A batch lookup body of exactly {@code bytes} bytes. */
  private static String padded(int bytes) {
    String head = "{\"numbers\": [\"13800138000\"]";
    String tail = "}";
    return head + " ".repeat(bytes - head.length() - tail.length()) + tail;
  }

  // ---------------------------------------------------------------- reporters

  @Test
  void reporterTokensAreIssuedAndDistinct() {
    Set<String> tokens = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> response = send(HttpMethod.POST, "/v1/reporters", null);
      assertEquals(201, response.statusCode(), response.bodyAsString());
      assertJsonContentType(response);
      JsonObject body = response.bodyAsJsonObject();
      assertEquals(Set.of("token"), body.fieldNames());
      String token = body.getString("token");
      assertTrue(token.matches("dbr_[A-Za-z0-9_-]{20,}"), token);
      tokens.add(token);
    }
    assertEquals(5, tokens.size());
  }

  // ---------------------------------------------------------------- reports

  @Test
  void reportIsAcceptedCountedOnceAndNeverEchoesTheToken() {
    String token = api.newToken();
    String number = freshNumber();
    HttpResponse<Buffer> first = report(token, debt(national(number)));
    assertEquals(202, first.statusCode(), first.bodyAsString());
    assertJsonContentType(first);
    assertNull(first.getHeader("Idempotent-Replayed"));
    JsonObject accepted = first.bodyAsJsonObject();
    assertEquals(Set.of("reportId", "number", "counted"), accepted.fieldNames());
    assertTrue(accepted.getString("reportId").matches("rep_[0-9a-f]{24}"), accepted.encode());
    assertEquals(number, accepted.getString("number"));
    assertEquals(true, accepted.getBoolean("counted"));
    assertNoToken(first, token);

    JsonObject after = api.lookup(enc(number));
    assertEquals(1, after.getLong("reports"));
    assertEquals(1, after.getLong("reporters"));
    assertEquals(1, after.getLong("networks"));
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1), after.getJsonObject("categories"));
    assertNotNull(after.getString("firstReported"));
    assertNotNull(after.getString("lastReported"));
    assertFalse(after.encode().contains(token));

    // Same reporter again: the category changes, the counts do not.
    HttpResponse<Buffer> again = report(token, new JsonObject().put("number", number).put("category", "THREAT"));
    assertEquals(202, again.statusCode(), again.bodyAsString());
    JsonObject second = again.bodyAsJsonObject();
    assertEquals(false, second.getBoolean("counted"));
    assertEquals(number, second.getString("number"));
    assertNotEquals(accepted.getString("reportId"), second.getString("reportId"));
    assertNoToken(again, token);

    HttpResponse<Buffer> lookup = send(HttpMethod.GET, "/v1/numbers/" + enc(number), null);
    assertNoToken(lookup, token);
    JsonObject now = lookup.bodyAsJsonObject();
    assertEquals(1, now.getLong("reports"));
    assertEquals(1, now.getLong("reporters"));
    assertEquals(new JsonObject().put("THREAT", 1), now.getJsonObject("categories"));
  }

  @Test
  void reportWithAllOptionalFieldsIsAccepted() {
    String token = api.newToken();
    String number = freshNumber();
    JsonObject body = new JsonObject()
        .put("number", national(number))
        .put("category", "CONTACT_HARASSMENT")
        .put("region", "cn")
        .put("platform", "Quick Cash")
        .put("occurredAt", OffsetDateTime.now(ZoneOffset.ofHours(8)).minusDays(2).toString())
        .put("note", "Called my mother about my cousin's loan.");
    HttpResponse<Buffer> response = report(token, body);
    assertEquals(202, response.statusCode(), response.bodyAsString());
    assertEquals(number, response.bodyAsJsonObject().getString("number"));
    assertNoToken(response, token);
    HttpResponse<Buffer> lookup = send(HttpMethod.GET, "/v1/numbers/" + enc(number), null);
    assertNoToken(lookup, token);
    assertFalse(lookup.bodyAsString().contains("mother"), "notes are not shown in lookups");
    assertEquals(new JsonObject().put("CONTACT_HARASSMENT", 1), lookup.bodyAsJsonObject().getJsonObject("categories"));
  }

  @Test
  void idempotentRetryGetsTheSameAnswerAndAReusedKeyIsRefused() {
    String token = api.newToken();
    String number = freshNumber();
    JsonObject body = debt(number);
    HttpResponse<Buffer> first = report(token, body, "Idempotency-Key", "retry-1");
    assertEquals(202, first.statusCode(), first.bodyAsString());
    assertNull(first.getHeader("Idempotent-Replayed"));
    HttpResponse<Buffer> retry = report(token, body, "Idempotency-Key", "retry-1");
    assertEquals(202, retry.statusCode(), retry.bodyAsString());
    assertEquals("true", retry.getHeader("Idempotent-Replayed"));
    assertEquals(first.bodyAsJsonObject(), retry.bodyAsJsonObject());
    assertNoToken(retry, token);

    HttpResponse<Buffer> reused = report(token, new JsonObject().put("number", number).put("category", "FRAUD"),
        "Idempotency-Key", "retry-1");
    assertError(reused, 422, "idempotency_key_reused");
    assertNoToken(reused, token);
    JsonObject after = api.lookup(enc(number));
    assertEquals(1, after.getLong("reports"));
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1), after.getJsonObject("categories"));
  }

  @Test
  void reportWithoutTokenIs401WithChallenge() {
    String number = freshNumber();
    HttpResponse<Buffer> response = send(HttpMethod.POST, "/v1/reports", debt(number).encode());
    assertError(response, 401, "missing_token");
    assertEquals("Bearer", response.getHeader("WWW-Authenticate"));
    assertError(send(HttpMethod.POST, "/v1/reports", debt(number).encode(), "Authorization", " "), 401,
        "missing_token");
    assertUnchanged(number);
  }

  @Test
  void reportWithForgedOrGarbledTokenIs401() {
    String number = freshNumber();
    String genuine = api.newToken();
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    String forged = "dbr_" + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    char last = genuine.charAt(genuine.length() - 1);
    String tampered = genuine.substring(0, genuine.length() - 1) + (last == 'A' ? 'B' : 'A');
    List<String> headers = List.of(
        "Bearer " + forged,
        "Bearer " + tampered,
        "Bearer " + genuine.substring(0, genuine.length() - 4),
        "Bearer " + genuine + "AAAA",
        "Bearer garbage",
        "Bearer dbr_!!!not-base64!!!",
        "Bearer ",
        "Bearer",
        "Basic " + genuine,
        genuine);
    for (String header : headers) {
      HttpResponse<Buffer> response = send(HttpMethod.POST, "/v1/reports", debt(number).encode(),
          "Authorization", header);
      assertError(response, 401, "invalid_token");
      String challenge = response.getHeader("WWW-Authenticate");
      assertNotNull(challenge, header);
      assertTrue(challenge.startsWith("Bearer"), challenge);
      assertNoToken(response, genuine);
    }
    assertUnchanged(number);
  }

  @Test
  void rejectedReportsStoreNothing() {
    String token = api.newToken();
    String number = freshNumber();
    String nowIso = OffsetDateTime.now(ZoneOffset.UTC).toString();
    record Case(String body, String code) {
    }
    List<Case> cases = List.of(
        new Case(debt(number).put("category", "SPAM").encode(), "invalid_category"),
        new Case(debt(number).put("category", "debt_collection").encode(), "invalid_category"),
        new Case(debt(number).put("category", "").encode(), "invalid_category"),
        new Case(new JsonObject().put("category", "THREAT").encode(), "missing_field"),
        new Case(new JsonObject().put("number", number).encode(), "missing_field"),
        new Case(new JsonObject().put("number", 8613800138000L).put("category", "THREAT").encode(), "invalid_field"),
        new Case(debt(number).put("category", new JsonArray().add("THREAT")).encode(), "invalid_field"),
        new Case(debt(number).put("platform", 7).encode(), "invalid_field"),
        new Case(debt(number).put("note", "x".repeat(1001)).encode(), "invalid_field"),
        new Case(debt(number).put("occurredAt", 1700000000000L).encode(), "invalid_field"),
        new Case(debt(number).put("occurredAt", "yesterday").encode(), "invalid_occurred_at"),
        new Case(debt(number).put("occurredAt", "2026-13-45T99:00:00Z").encode(), "invalid_occurred_at"),
        new Case(debt(number).put("occurredAt", nowIso.substring(0, 19)).encode(), "invalid_occurred_at"),
        new Case(debt(number).put("occurredAt", OffsetDateTime.now(ZoneOffset.UTC).minusDays(61).toString())
            .encode(), "report_too_old"),
        new Case(debt(number).put("occurredAt", OffsetDateTime.now(ZoneOffset.ofHours(8)).plusHours(1).toString())
            .encode(), "occurred_in_future"),
        new Case(debt(number).put("region", "XX").encode(), "invalid_region"),
        new Case(debt(number).put("reporter", "me").encode(), "unknown_field"),
        new Case(debt("hello").encode(), "invalid_number"),
        new Case(debt("1234567890123456789012345678901234567890").encode(), "invalid_number"),
        new Case("{\"number\": \"" + number + "\", ", "invalid_json"),
        new Case("[]", "invalid_json"),
        new Case("", "invalid_json"));
    for (Case c : cases) {
      HttpResponse<Buffer> response = send(HttpMethod.POST, "/v1/reports", c.body(),
          "Authorization", "Bearer " + token);
      assertError(response, 400, c.code(), c.body());
      assertNoToken(response, token);
    }
    assertUnchanged(number);
  }

  @Test
  void reportWithBadIdempotencyKeyIs400() {
    String token = api.newToken();
    String number = freshNumber();
    for (String key : List.of("k".repeat(256), "has space", "tab\tinside", "clé")) {
      HttpResponse<Buffer> response = send(HttpMethod.POST, "/v1/reports", debt(number).encode(),
          "Authorization", "Bearer " + token, "Idempotency-Key", key);
      assertError(response, 400, "invalid_idempotency_key", key);
    }
    assertUnchanged(number);
    // The longest allowed key works.
    HttpResponse<Buffer> ok = send(HttpMethod.POST, "/v1/reports", debt(number).encode(),
        "Authorization", "Bearer " + token, "Idempotency-Key", "k".repeat(255));
    assertEquals(202, ok.statusCode(), ok.bodyAsString());
  }

  @Test
  @DisabledIfSystemProperty(named = "dunblock.test.redisCluster", matches = "true",
      disabledReason = "stops the whole store; on a cluster ClusterFailoverIT loses one master instead")
  void reportWhileTheStoreIsDownIs503WithRetryAfterAndLookupsDegrade() {
    TestRedis ownRedis = TestRedis.start();
    boolean redisStopped = false;
    DunblockServer lonely = TestServers.start(TestServers.config(ownRedis).redisTimeout(Duration.ofMillis(500))
        .lookupTimeout(Duration.ofMillis(200)));
    Api lonelyApi = new Api(vertx, lonely.port());
    try {
      awaitCondition(() -> send(lonelyApi, HttpMethod.GET, "/ready", null).statusCode() == 200, "ready");
      String token = lonelyApi.newToken();
      String number = freshNumber();
      assertEquals(202, send(lonelyApi, HttpMethod.POST, "/v1/reports", debt(number).encode(),
          "Authorization", "Bearer " + token).statusCode());
      ownRedis.close();
      redisStopped = true;
      // The test Redis is killed without waiting for the process; wait until it no longer accepts connections.
      awaitCondition(() -> !accepts(ownRedis.url()), "the test Redis to stop");

      HttpResponse<Buffer> refused = send(lonelyApi, HttpMethod.POST, "/v1/reports",
          debt(freshNumber()).encode(), "Authorization", "Bearer " + token);
      assertError(refused, 503, "store_unavailable");
      assertEquals(ErrorHandler.RETRY_AFTER_SECONDS, refused.getHeader("Retry-After"));

      HttpResponse<Buffer> lookup = send(lonelyApi, HttpMethod.GET, "/v1/numbers/" + enc(number), null);
      assertEquals(200, lookup.statusCode(), lookup.bodyAsString());
      assertEquals("no-store", lookup.getHeader("Cache-Control"));
      JsonObject degraded = lookup.bodyAsJsonObject();
      assertEquals(true, degraded.getBoolean("degraded"));
      assertEquals("ALLOW", degraded.getString("verdict"));
      assertEquals(new JsonArray().add("DEGRADED"), degraded.getJsonArray("reasons"));

      assertError(send(lonelyApi, HttpMethod.GET, "/ready", null), 503, "not_ready");
      assertEquals(200, send(lonelyApi, HttpMethod.GET, "/health", null).statusCode());
    } finally {
      lonelyApi.close();
      lonely.close();
      if (!redisStopped) {
        ownRedis.close();
      }
    }
  }

  // ---------------------------------------------------------------- routing, ops

  @ParameterizedTest
  // "/" is the public lookup page (see WebPagesIT).
  @ValueSource(strings = {"/index.html", "/v1", "/v1/numbers", "/v1/numbers/", "/v2/numbers/13800138000",
      "/v1/numbers/13800138000/extra", "/admin", "/static/"})
  void unknownPathsAreJson404(String path) {
    assertError(send(HttpMethod.GET, path, null), 404, "not_found");
  }

  @Test
  void wrongMethodsAreJson405() {
    assertError(send(HttpMethod.DELETE, "/v1/reporters", null), 405, "method_not_allowed");
    assertError(send(HttpMethod.GET, "/v1/reporters", null), 405, "method_not_allowed");
    assertError(send(HttpMethod.GET, "/v1/reports", null), 405, "method_not_allowed");
    assertError(send(HttpMethod.PUT, "/v1/numbers/lookup", "{}"), 405, "method_not_allowed");
    assertError(send(HttpMethod.DELETE, "/v1/numbers/13800138000", null), 405, "method_not_allowed");
    assertError(send(HttpMethod.POST, "/health", null), 405, "method_not_allowed");
  }

  @Test
  void requestsTheServerCannotReadGetJsonErrors(Vertx vertx) {
    // The server closes the connection after each of these; fresh connections keep the requests independent.
    Api fresh = new Api(vertx, server.port(), false);
    try {
      // A path whose %-escape does not decode never reaches a handler of ours.
      assertError(send(fresh, HttpMethod.GET, "/v1/numbers/%ZZ", null), 400, "bad_request");
      // The HTTP codec refuses an over-long request line (8 KiB) or over-large headers (16 KiB) before routing.
      // The server closes such a connection after answering; when it closes while the client is still writing,
      // the kernel may reset the connection before the client reads the answer. A refusal is fine, nothing else.
      assertErrorOrRefused(fresh, HttpMethod.GET, "/v1/numbers/" + "1".repeat(9000), 414, "uri_too_long");
      assertErrorOrRefused(fresh, HttpMethod.GET, "/health", 431, "headers_too_large", "X-Padding",
          "p".repeat(20_000));
      // The server still answers afterwards.
      assertEquals(200, send(fresh, HttpMethod.GET, "/health", null).statusCode());
    } finally {
      fresh.close();
    }
  }

  private void assertErrorOrRefused(Api target, HttpMethod method, String path, int status, String code,
      String... headers) {
    HttpResponse<Buffer> response;
    try {
      response = send(target, method, path, null, headers);
    } catch (RuntimeException e) {
      Throwable cause = e;
      while (cause != null && !(cause instanceof io.vertx.core.http.HttpClosedException)) {
        cause = cause.getCause();
      }
      if (cause == null) {
        throw e;
      }
      return;
    }
    assertError(response, status, code);
  }

  @Test
  void healthIsUp() {
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/health", null);
    assertEquals(200, response.statusCode());
    assertEquals(new JsonObject().put("status", "UP"), response.bodyAsJsonObject());
  }

  @Test
  void readyOnceTheFilterIsLoaded() {
    awaitCondition(() -> send(HttpMethod.GET, "/ready", null).statusCode() == 200, "/ready to answer 200");
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/ready", null);
    assertEquals(200, response.statusCode());
    JsonObject body = response.bodyAsJsonObject();
    assertEquals("READY", body.getString("status"));
    assertNotNull(body.getJsonObject("filter").getLong("approximateNumbers"));
    assertNotNull(body.getJsonObject("filter").getDouble("expectedFpp"));
  }

  @Test
  void metricsArePrometheusText() {
    send(HttpMethod.GET, "/v1/numbers/" + enc(freshNumber()), null);
    HttpResponse<Buffer> response = send(HttpMethod.GET, "/metrics", null);
    assertEquals(200, response.statusCode());
    assertTrue(response.getHeader("Content-Type").startsWith("text/plain"), response.getHeader("Content-Type"));
    assertTrue(response.bodyAsString().contains("dunblock_lookups_total"), "dunblock_lookups_total missing");
  }

  @Test
  void requestIdsAreEchoedWhenSaneAndMadeUpOtherwise() {
    HttpResponse<Buffer> echoed = send(HttpMethod.GET, "/health", null, "X-Request-Id", "app-42.retry_1");
    assertEquals("app-42.retry_1", echoed.getHeader("X-Request-Id"));
    HttpResponse<Buffer> replaced = send(HttpMethod.GET, "/health", null, "X-Request-Id", "<script>");
    assertNotEquals("<script>", replaced.getHeader("X-Request-Id"));
    HttpResponse<Buffer> onError = send(HttpMethod.GET, "/nowhere", null, "X-Request-Id", "trace-me");
    assertEquals("trace-me", onError.getHeader("X-Request-Id"));
  }

  // ---------------------------------------------------------------- helpers

  /** Sends a request to the class's server; every response must carry an X-Request-Id. */
  static HttpResponse<Buffer> send(HttpMethod method, String path, String body, String... headers) {
    return send(api, method, path, body, headers);
  }

  static HttpResponse<Buffer> send(Api target, HttpMethod method, String path, String body, String... headers) {
    HttpRequest<Buffer> request = target.request(method, path);
    if (body != null) {
      // JSON unless the caller names another type (DESIGN.md: JSON bodies say application/json).
      request.putHeader("Content-Type", "application/json");
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    HttpResponse<Buffer> response = Api.await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)));
    String id = response.getHeader(RequestIds.HEADER);
    assertTrue(id != null && !id.isBlank(), "no X-Request-Id on " + method + " " + path + " -> "
        + response.statusCode());
    return response;
  }

  static HttpResponse<Buffer> report(String token, JsonObject body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + token;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return send(HttpMethod.POST, "/v1/reports", body.encode(), all);
  }

  static void assertError(HttpResponse<Buffer> response, int status, String code) {
    assertError(response, status, code, "");
  }

  static void assertError(HttpResponse<Buffer> response, int status, String code, String context) {
    String body = response.bodyAsString();
    assertEquals(status, response.statusCode(), context + " -> " + body);
    assertJsonContentType(response);
    JsonObject json = new JsonObject(body);
    assertEquals(Set.of("error", "message"), json.fieldNames(), body);
    assertEquals(code, json.getValue("error"), context + " -> " + body);
    assertTrue(json.getValue("message") instanceof String m && !m.isBlank(), body);
  }

  static void assertItemError(JsonObject item, String input) {
    assertEquals(Set.of("input", "error", "message"), item.fieldNames(), item.encode());
    assertEquals(input, item.getString("input"));
    assertEquals("invalid_number", item.getString("error"));
    assertFalse(item.getString("message").isBlank());
  }

  static void assertJsonContentType(HttpResponse<Buffer> response) {
    String type = response.getHeader("Content-Type");
    assertNotNull(type, "Content-Type");
    assertTrue(type.toLowerCase(Locale.ROOT).startsWith("application/json"), type);
  }

  static void assertNoToken(HttpResponse<Buffer> response, String token) {
    String body = response.bodyAsString();
    assertFalse(body != null && body.contains(token), "response body contains the reporter token: " + body);
    // Nor any recognisable part of it.
    assertFalse(body != null && body.contains(token.substring(4, 20)), "response body contains part of the token");
  }

  /** A rejected report must leave no trace: the lookup is the unreported answer and Redis has no record. */
  static void assertUnchanged(String e164) {
    assertEquals(unreported(e164), api.lookup(enc(e164)));
    assertNothingStored(redis, e164);
  }

  static void assertNothingStored(TestRedis store, String e164) {
    var commands = store.commands();
    assertEquals(0L, commands.exists(KeySchema.number(e164), KeySchema.votes(e164), KeySchema.networks(e164)),
        "a rejected report left a record of " + e164);
    assertNull(commands.zscore(KeySchema.index(KeySchema.shardOf(e164)), e164),
        "a rejected report listed " + e164);
  }

  static JsonObject unreported(String e164) {
    return new JsonObject()
        .put("number", e164)
        .put("verdict", "ALLOW")
        .put("score", 0.0)
        .put("reports", 0)
        .put("reporters", 0)
        .put("networks", 0)
        .put("categories", new JsonObject())
        .put("reasons", new JsonArray())
        .putNull("firstReported")
        .putNull("lastReported")
        .put("platforms", new JsonArray());
  }

  static JsonObject debt(String number) {
    return new JsonObject().put("number", number).put("category", "DEBT_COLLECTION");
  }

  /** A valid Chinese mobile number in E.164 that no other test uses. */
  static String freshNumber() {
    return String.format("+86139%08d", 10_000_000 + NEXT_NUMBER.incrementAndGet());
  }

  /** The national spelling of a +86 number, as a Chinese user would type it. */
  static String national(String e164) {
    return e164.substring(3, 6) + "-" + e164.substring(6, 10) + "-" + e164.substring(10);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static boolean accepts(String redisUrl) {
    URI uri = URI.create(redisUrl);
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Polls until the condition holds, failing after a bounded deadline. */
  static void awaitCondition(Supplier<Boolean> condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }
}
