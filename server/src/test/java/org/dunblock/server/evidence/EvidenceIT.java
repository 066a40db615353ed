package org.dunblock.server.evidence;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Evidence packs as a regulator reads them: one scenario of seven reporters on seven networks reporting three
 * numbers, with categories, platforms and call times (night ones too), read back through the real server.
 */
class EvidenceIT {
  static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  static final String A = "+8613800138000";
  static final String B = "+8613900139000";
  static final String C = "+8613700137000";
  static final String NOTE = "I am Wang Xiaoming, they call my mother every night";
  static final String[] IPS = {
      "203.0.113.11", "198.51.100.22", "192.0.2.33", "100.64.4.44", "100.64.5.55", "100.64.6.66", "100.64.7.77"};
  static final String NASTY_PLATFORM = "<img src=x onerror=alert(1)> Loan & Co";

  static TestRedis redis;
  static Vertx vertx;
  static DunblockServer server;
  static Api api;
  static String operatorKey;
  static final List<String> tokens = new ArrayList<>();
  static LocalDate today;

  @BeforeAll
  static void reportTheScenario() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    server = TestServers.start(TestServers.config(redis));
    api = new Api(vertx, server.port());
    waitReady(api);
    operatorKey = new KeyRegistry(redis.commands(), Clock.systemUTC())
        .create(Role.OPERATOR, "evidence test", "test").secret();
    for (int i = 0; i < IPS.length; i++) {
      tokens.add(api.newToken());
    }
    today = LocalDate.now(SHANGHAI);

    // Number A: five victims on five networks, one counter-vote, and one victim reporting again.
    report(1, A, "DEBT_COLLECTION", "Quick Cash", 3, "23:30", NOTE, true);
    report(2, A, "THREAT", "quick  cash", 3, "02:15", null, true);
    report(3, A, "CONTACT_HARASSMENT", "\uFF31\uFF55\uFF49\uFF43\uFF4B\u3000\uFF23\uFF41\uFF53\uFF48", 2, "10:00",
        null, true);
    report(4, A, "THREAT", "Easy Loan", 2, "14:00", null, true);
    report(5, A, "SILENT", null, 1, "21:05", null, true);
    report(1, A, "DEBT_COLLECTION", "Quick Cash", 1, "07:59", NOTE, false);
    report(6, A, "LEGITIMATE", "Quick Cash", 1, "12:00", null, true);
    // Number B: the same lender; reporter 2 reports again (naming it again) and must count once.
    report(1, B, "DEBT_COLLECTION", "QUICK CASH", 2, "22:00", null, true);
    report(2, B, "FRAUD", "quick cash", 2, "09:00", NOTE, true);
    report(2, B, "THREAT", "Quick Cash", 1, "09:30", null, false);
    report(7, B, "TELEMARKETING", "Easy Loan", 1, "15:00", null, true);
    // Number C: a platform name that is HTML.
    report(3, C, "FRAUD", NASTY_PLATFORM, 1, "10:00", null, true);

    // Platform aggregates are updated just after each report is answered.
    waitUntil("platform aggregates caught up", Duration.ofSeconds(5),
        () -> evidence("/v1/evidence/platforms/quick%20cash").statusCode() == 200
            && evidenceJson("/v1/evidence/platforms/quick%20cash").getLong("reports") == 5
            && evidence("/v1/evidence/platforms/easy%20loan").statusCode() == 200
            && evidenceJson("/v1/evidence/platforms/easy%20loan").getLong("reports") == 2
            && evidence("/v1/evidence/platforms/" + pathSegment(NASTY_PLATFORM)).statusCode() == 200);
  }

  @AfterAll
  static void stop() {
    api.close();
    server.close();
    vertx.close();
    redis.close();
  }

  static void report(int reporter, String number, String category, String platform, int daysAgo, String localTime,
      String note, boolean counted) {
    ZonedDateTime at = ZonedDateTime.of(today.minusDays(daysAgo), LocalTime.parse(localTime), SHANGHAI);
    JsonObject body = new JsonObject().put("number", number).put("category", category)
        .put("occurredAt", at.toOffsetDateTime().toString());
    if (platform != null) {
      body.put("platform", platform);
    }
    if (note != null) {
      body.put("note", note);
    }
    HttpResponse<Buffer> response = api.report(tokens.get(reporter - 1), IPS[reporter - 1], body);
    assertEquals(202, response.statusCode(), response.bodyAsString());
    assertEquals(counted, response.bodyAsJsonObject().getBoolean("counted"), body.encode());
  }

  static String instant(int daysAgo, String localTime) {
    return ZonedDateTime.of(today.minusDays(daysAgo), LocalTime.parse(localTime), SHANGHAI).toInstant().toString();
  }

  static String day(int daysAgo) {
    return today.minusDays(daysAgo).toString();
  }

  static HttpResponse<Buffer> evidence(String path, String... headers) {
    var request = api.request(HttpMethod.GET, path).putHeader("Authorization", "Bearer " + operatorKey);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return Api.await(request.send());
  }

  static JsonObject evidenceJson(String path) {
    HttpResponse<Buffer> response = evidence(path);
    assertEquals(200, response.statusCode(), path + " -> " + response.bodyAsString());
    assertTrue(response.getHeader("Content-Type").startsWith("application/json"), path);
    return response.bodyAsJsonObject();
  }

  static String pathSegment(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static JsonArray hours(Map<Integer, Integer> counts) {
    JsonArray hours = new JsonArray();
    for (int h = 0; h < 24; h++) {
      hours.add((long) counts.getOrDefault(h, 0));
    }
    return hours;
  }

  @Test
  void numberPackShowsVictimsDaysHoursNightCallsThreatsPlatformsAndFirstAndLastSeen() {
    JsonObject pack = evidenceJson("/v1/evidence/numbers/138-0013-8000");
    assertEquals("number", pack.getString("kind"));
    assertEquals(A, pack.getString("number"));
    assertEquals("CN", pack.getString("region"));
    assertEquals("Asia/Shanghai", pack.getString("timeZone"));
    assertEquals(5, pack.getLong("victims"), "distinct reporters with a complaint");
    assertEquals(1, pack.getLong("counterVotes"));
    assertEquals(5, pack.getLong("networks"));
    assertEquals(6, pack.getLong("reports"), "every reported call, the repeat included, counter-vote excluded");
    assertEquals(1, pack.getLong("repeatReports"));
    assertEquals(2, pack.getLong("threats"));
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1L).put("CONTACT_HARASSMENT", 1L).put("THREAT", 2L)
        .put("SILENT", 1L).put("LEGITIMATE", 1L), pack.getJsonObject("categories"));
    assertEquals(new JsonObject().put("quick cash", 4L).put("easy loan", 1L), pack.getJsonObject("platforms"));
    assertEquals(List.of("quick cash", "easy loan"), List.copyOf(pack.getJsonObject("platforms").fieldNames()),
        "platforms by count, largest first");
    assertEquals(new JsonObject().put(day(3), 2L).put(day(2), 2L).put(day(1), 2L),
        pack.getJsonObject("reportsPerDay"), "local days in Asia/Shanghai");
    assertEquals(hours(Map.of(23, 1, 2, 1, 10, 1, 14, 1, 21, 1, 7, 1)), pack.getJsonArray("callsByHour"));
    assertEquals(4, pack.getLong("nightCalls"), "23:30, 02:15, 21:05 and 07:59");
    assertEquals(new JsonObject().put("from", "21:00").put("to", "08:00"), pack.getJsonObject("night"));
    assertEquals(instant(3, "02:15"), pack.getString("firstSeen"));
    assertEquals(instant(1, "21:05"), pack.getString("lastSeen"));
    assertFalse(pack.getBoolean("logTruncated"));
    JsonObject lookup = api.lookup(A);
    assertEquals(lookup.getString("verdict"), pack.getString("verdict"), "the pack agrees with a lookup");
    assertEquals(lookup.getDouble("score"), pack.getDouble("score"));
  }

  @Test
  void numberPackReadsHoursInARequestedTimeZone() {
    JsonObject pack = evidenceJson("/v1/evidence/numbers/%2B8613800138000?tz=UTC");
    assertEquals("UTC", pack.getString("timeZone"));
    // Shanghai is UTC+8 all year: 23:30 -> 15, 02:15 -> 18, 10:00 -> 2, 14:00 -> 6, 21:05 -> 13, 07:59 -> 23.
    assertEquals(hours(Map.of(15, 1, 18, 1, 2, 1, 6, 1, 13, 1, 23, 1)), pack.getJsonArray("callsByHour"));
    assertEquals(3, pack.getLong("nightCalls"), "02, 06 and 23 UTC");
  }

  @Test
  void numberPackAsHtmlHasTheFiguresAndSvgChartsAndNoScript() {
    for (HttpResponse<Buffer> response : List.of(
        evidence("/v1/evidence/numbers/13800138000?format=html"),
        evidence("/v1/evidence/numbers/13800138000",
            "Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"))) {
      assertEquals(200, response.statusCode(), response.bodyAsString());
      assertTrue(response.getHeader("Content-Type").startsWith("text/html"));
      assertTrue(response.getHeader("Content-Security-Policy").contains("default-src 'none'"));
      assertEquals("no-store", response.getHeader("Cache-Control"));
      String html = response.bodyAsString();
      assertTrue(html.startsWith("<!DOCTYPE html>"));
      assertTrue(html.contains("+86 138 0013 8000"), "number, as people write it");
      assertEquals(3, html.split("<svg", -1).length - 1, "per-day, per-hour and category charts");
      assertTrue(html.contains("Distinct victims</th><td><span class=\"big\">5</span>"), html);
      assertTrue(html.contains("<span class=\"night\">4</span> of 6 (67 %)"), html);
      assertTrue(html.contains("Threats</th><td><span class=\"big\">2</span>"), html);
      assertTrue(html.contains("quick cash (4), easy loan (1)"), html);
      assertTrue(html.contains(LocalDateTimeText.of(instant(3, "02:15"))), "first seen in local time");
      assertTrue(html.contains("<title>23: 1</title>"), "hour bars carry their counts");
      assertTrue(html.contains("@media print"));
      assertFalse(html.toLowerCase().contains("<script"), "no JavaScript");
      assertFalse(html.replace("http://www.w3.org/2000/svg", "").contains("http"), "no external assets");
    }
    assertEquals("application/json; charset=utf-8",
        evidence("/v1/evidence/numbers/13800138000", "Accept", "*/*").getHeader("Content-Type"));
  }

  @Test
  void platformPackAggregatesAcrossNumbersAndCountsEachReporterOncePerNumber() {
    JsonObject pack = evidenceJson("/v1/evidence/platforms/Quick%20%20CASH");
    assertEquals("platform", pack.getString("kind"));
    assertEquals("quick cash", pack.getString("platform"));
    assertEquals(2, pack.getLong("numbers"));
    assertEquals(3, pack.getLong("victims"), "reporters 1, 2, 3; the counter-vote is not a victim");
    assertEquals(5, pack.getLong("reports"), "re-reports of A by 1 and of B by 2 add nothing");
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 2L).put("CONTACT_HARASSMENT", 1L).put("THREAT", 1L)
        .put("FRAUD", 1L), pack.getJsonObject("categories"));
    assertEquals(1, pack.getLong("threats"));
    assertEquals(new JsonObject().put(day(3), 2L).put(day(2), 3L), pack.getJsonObject("reportsPerDay"));
    assertEquals(hours(Map.of(23, 1, 2, 1, 10, 1, 22, 1, 9, 1)), pack.getJsonArray("callsByHour"));
    assertEquals(3, pack.getLong("nightCalls"));
    assertEquals(instant(3, "02:15"), pack.getString("firstSeen"));
    assertEquals(instant(2, "22:00"), pack.getString("lastSeen"));
    assertEquals(new JsonArray()
        .add(new JsonObject().put("number", A).put("reports", 3L))
        .add(new JsonObject().put("number", B).put("reports", 2L)), pack.getJsonArray("topNumbers"));
    assertEquals(new JsonObject().put("Asia/Shanghai", 5L), pack.getJsonObject("timeZones"));

    JsonObject easy = evidenceJson("/v1/evidence/platforms/easy%20loan");
    assertEquals(2, easy.getLong("numbers"));
    assertEquals(2, easy.getLong("victims"));
    assertEquals(1, easy.getLong("threats"));
    assertEquals(new JsonObject().put("THREAT", 1L).put("TELEMARKETING", 1L), easy.getJsonObject("categories"));

    String html = evidence("/v1/evidence/platforms/quick%20cash?format=html").bodyAsString();
    assertTrue(html.contains("Lending platform <strong>quick cash</strong>"), html);
    assertEquals(3, html.split("<svg", -1).length - 1);
    assertTrue(html.contains("+86 138 0013 8000</td><td class=\"n\">3</td>"), html);
  }

  @Test
  void platformNamesAreEscapedInTheHtmlPage() {
    HttpResponse<Buffer> response = evidence("/v1/evidence/platforms/" + pathSegment(NASTY_PLATFORM) + "?format=html");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    String html = response.bodyAsString();
    assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt; loan &amp; co"), html);
    assertFalse(html.contains("<img"), html);
    String numberPage = evidence("/v1/evidence/numbers/" + pathSegment(C) + "?format=html").bodyAsString();
    assertTrue(numberPage.contains("&lt;img src=x onerror=alert(1)&gt; loan &amp; co (1)"), numberPage);
    assertFalse(numberPage.contains("<img"));
  }

  @Test
  void noEvidenceResponseRevealsAReporter() {
    Set<String> secrets = new LinkedHashSet<>(tokens);
    secrets.addAll(List.of(IPS));
    secrets.add("Wang Xiaoming");
    secrets.add(NOTE);
    for (String number : List.of(A, B, C)) {
      redis.commands().hgetall(KeySchema.votes(number)).forEach((reporterHash, vote) -> {
        secrets.add(reporterHash);
        secrets.add(vote.split("\\|")[2]); // network hash
      });
    }
    assertTrue(secrets.size() > 20, "sanity: tokens, addresses, note and hashes collected " + secrets.size());
    List<String> bodies = new ArrayList<>();
    for (String path : List.of("/v1/evidence/numbers/" + pathSegment(A), "/v1/evidence/numbers/" + pathSegment(B),
        "/v1/evidence/numbers/" + pathSegment(C), "/v1/evidence/platforms/quick%20cash",
        "/v1/evidence/platforms/easy%20loan", "/v1/evidence/platforms/" + pathSegment(NASTY_PLATFORM))) {
      for (String format : List.of("json", "html")) {
        HttpResponse<Buffer> response = evidence(path + "?format=" + format);
        assertEquals(200, response.statusCode(), path);
        bodies.add(response.bodyAsString());
      }
    }
    for (String body : bodies) {
      for (String secret : secrets) {
        assertFalse(body.contains(secret), "an evidence response contains a reporter secret: " + secret);
      }
    }
  }

  @Test
  void unreportedNumberGetsAnEmptyPackAndUnknownPlatformA404() {
    JsonObject pack = evidenceJson("/v1/evidence/numbers/13600136000");
    assertEquals("+8613600136000", pack.getString("number"));
    assertEquals(0, pack.getLong("victims"));
    assertEquals(0, pack.getLong("reports"));
    assertEquals(0, pack.getLong("nightCalls"));
    assertEquals(new JsonObject(), pack.getJsonObject("categories"));
    assertEquals(new JsonObject(), pack.getJsonObject("reportsPerDay"));
    assertEquals(hours(Map.of()), pack.getJsonArray("callsByHour"));
    assertEquals(null, pack.getValue("firstSeen"));
    assertEquals("ALLOW", pack.getString("verdict"));
    HttpResponse<Buffer> page = evidence("/v1/evidence/numbers/13600136000?format=html");
    assertEquals(200, page.statusCode());
    assertTrue(page.bodyAsString().contains("No reports."));

    HttpResponse<Buffer> unknown = evidence("/v1/evidence/platforms/no%20such%20lender?format=html");
    assertEquals(404, unknown.statusCode());
    assertEquals("unknown_platform", unknown.bodyAsJsonObject().getString("error"), "errors are JSON even for html");
  }

  @Test
  void aFailedPlatformUpdateNeverFailsTheReport() {
    // A platform key of the wrong type makes the platform script fail after the report script succeeded.
    redis.commands().set(KeySchema.platform("broken lender", "numbers"), "not a sorted set");
    String token = api.newToken();
    HttpResponse<Buffer> response = api.report(token, "100.64.9.99", new JsonObject()
        .put("number", "13500135000").put("category", "DEBT_COLLECTION").put("platform", "Broken Lender"));
    assertEquals(202, response.statusCode(), response.bodyAsString());
    assertTrue(response.bodyAsJsonObject().getBoolean("counted"));
    assertEquals(1, api.lookup("+8613500135000").getLong("reports"), "the report is stored");
    waitUntil("the failure is counted", Duration.ofSeconds(5), () -> api.get("/metrics").bodyAsString()
        .contains("dunblock_evidence_platform_updates_total{outcome=\"failed\"} 1.0"));
    assertEquals(1, evidenceJson("/v1/evidence/numbers/13500135000").getLong("victims"),
        "the number's own pack does not depend on platform aggregates");
  }

  @Test
  void badInputIsA400() {
    Map<String, String> cases = Map.of(
        "/v1/evidence/numbers/12", "invalid_number",
        "/v1/evidence/numbers/13800138000?region=XX", "invalid_region",
        "/v1/evidence/numbers/13800138000?format=pdf", "invalid_format",
        "/v1/evidence/numbers/13800138000?tz=Mars%2FOlympus", "invalid_time_zone",
        "/v1/evidence/platforms/%20%20", "invalid_platform",
        "/v1/evidence/platforms/quick%20cash?format=xml", "invalid_format");
    cases.forEach((path, code) -> {
      HttpResponse<Buffer> response = evidence(path);
      assertEquals(400, response.statusCode(), path + " -> " + response.bodyAsString());
      assertEquals(code, response.bodyAsJsonObject().getString("error"), path);
    });
  }

  /** The page's local time format for an instant, in Asia/Shanghai. */
  static final class LocalDateTimeText {
    static String of(String instant) {
      return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")
          .format(java.time.Instant.parse(instant).atZone(SHANGHAI));
    }
  }
}
