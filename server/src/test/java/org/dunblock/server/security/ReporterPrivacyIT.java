package org.dunblock.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dunblock.server.net.IpRange;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.CapturedLogs;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN.md rule 8 and beyond: after the report flows with known tokens and addresses, no response (but the token
 * handed to its own reporter), no export, no log line and no metric holds a token, an address, a network or the
 * keyed hashes that stand for them. And what reporters write is kept as text, never rendered as live HTML.
 */
class ReporterPrivacyIT {
  static final String ADMIN_KEY = "dbk_privacy-admin-key-0123456789abcdef";
  static final String[] IPS = {"198.51.100.11", "198.51.101.12", "203.0.113.13", "2001:db8:77:1::14", "192.0.2.15"};
  static final String NUMBER = "13800138000";
  static final String HOSTILE_NOTE = "<script>alert('note')</script> ' OR 1=1; --";
  static final String HOSTILE_PLATFORM = "<img src=x onerror=alert(1)>Cash";

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final CapturedLogs logs = new CapturedLogs();
  @RegisterExtension
  // A generous Redis timeout: this test is about what is said, and a busy CI machine must not turn a report into a 503.
  final RunningServer app = RunningServer.on(redis).with(c -> c.adminKey(ADMIN_KEY).accessLog(true)
      .redisTimeout(java.time.Duration.ofSeconds(10)));

  /** Everything the server said, by what was asked. */
  final Map<String, String> seen = new LinkedHashMap<>();

  HttpResponse<Buffer> call(HttpMethod method, String path, String key, String body) {
    var request = app.api().request(method, path);
    if (key != null) {
      request.putHeader("Authorization", "Bearer " + key);
    }
    HttpResponse<Buffer> response = Api.await(body == null ? request.send()
        : request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)));
    seen.put(method + " " + path + " #" + seen.size(), response.headers() + "\n"
        + (response.body() == null ? "" : response.body().toString(StandardCharsets.ISO_8859_1)));
    return response;
  }

  @Test
  void noTokenAddressNetworkOrHashInAnyResponseExportLogOrMetric() {
    Api api = app.api();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < IPS.length; i++) {
      String token = api.newToken();
      tokens.add(token);
      JsonObject report = new JsonObject().put("number", NUMBER).put("category", i % 2 == 0 ? "THREAT" : "FRAUD")
          .put("platform", "Quick Cash").put("note", "called my mother " + i);
      for (int attempt = 0; attempt < 2; attempt++) {
        HttpResponse<Buffer> r = api.report(token, IPS[i], report, "Idempotency-Key", "retry-" + i);
        seen.put("report " + i + "/" + attempt, r.headers() + "\n" + r.bodyAsString());
        assertEquals(202, r.statusCode(), r.bodyAsString());
      }
    }
    HttpResponse<Buffer> badToken = api.report(tokens.get(0) + "x", IPS[0], new JsonObject().put("number", NUMBER)
        .put("category", "THREAT"));
    seen.put("forged report", badToken.headers() + "\n" + badToken.bodyAsString());
    assertEquals(202, Api.await(api.request(HttpMethod.POST, "/v1/appeals").putHeader("X-Forwarded-For", IPS[1])
        .sendJsonObject(new JsonObject().put("number", NUMBER).put("contact", "owner@example.org")
            .put("reason", "mine"))).statusCode());

    call(HttpMethod.GET, "/v1/numbers/" + NUMBER, null, null);
    call(HttpMethod.POST, "/v1/numbers/lookup", null,
        new JsonObject().put("numbers", new JsonArray().add(NUMBER).add("95588")).encode());
    call(HttpMethod.GET, "/v1/evidence/numbers/" + NUMBER, ADMIN_KEY, null);
    call(HttpMethod.GET, "/v1/evidence/numbers/" + NUMBER + "?format=html", ADMIN_KEY, null);
    call(HttpMethod.GET, "/v1/evidence/platforms/quick%20cash", ADMIN_KEY, null);
    call(HttpMethod.GET, "/v1/evidence/platforms/quick%20cash?format=html", ADMIN_KEY, null);
    HttpResponse<Buffer> csv = call(HttpMethod.GET, "/v1/export", ADMIN_KEY, null);
    assertEquals(200, csv.statusCode());
    assertTrue(csv.bodyAsString().contains("+8613800138000"), "the export holds the number");
    call(HttpMethod.GET, "/v1/export?format=jsonl", ADMIN_KEY, null);
    call(HttpMethod.GET, "/v1/admin/appeals", ADMIN_KEY, null);
    call(HttpMethod.GET, "/v1/admin/audit", ADMIN_KEY, null);
    call(HttpMethod.GET, "/v1/filter/changes", null, null);
    call(HttpMethod.GET, "/v1/filter", null, null);
    HttpResponse<Buffer> metrics = call(HttpMethod.GET, "/metrics", null, null);
    assertTrue(metrics.bodyAsString().contains("dunblock_reports_total"), "metrics were scraped");

    Map<String, String> secrets = secrets(tokens);
    List<String> found = new ArrayList<>();
    seen.forEach((what, text) -> secrets.forEach((name, secret) -> {
      if (text.contains(secret)) {
        found.add(name + " in the answer to " + what);
      }
    }));
    List<String> lines = logs.lines();
    assertTrue(lines.stream().anyMatch(l -> l.contains("route=/v1/reports status=202")), "the log was captured");
    for (String line : lines) {
      secrets.forEach((name, secret) -> {
        if (line.contains(secret)) {
          found.add(name + " in the log line: " + line);
        }
      });
    }
    assertEquals(List.of(), found);
  }

  /** Tokens, addresses, networks and the keyed hashes the server stores for reporters and networks. */
  Map<String, String> secrets(List<String> tokens) {
    ReporterTokens keyed = app.server().tokens();
    Map<String, String> secrets = new LinkedHashMap<>();
    for (int i = 0; i < IPS.length; i++) {
      InetAddress address = InetAddresses.forString(IPS[i]);
      secrets.put("token " + i, tokens.get(i));
      secrets.put("reporter hash " + i, keyed.reporterHash(tokens.get(i)).orElseThrow());
      secrets.put("address " + i, IPS[i]);
      secrets.put("expanded address " + i, address.getHostAddress());
      secrets.put("network " + i, IpRange.networkOf(address));
      secrets.put("network hash " + i, keyed.networkHash(address));
      if (address instanceof java.net.Inet4Address) {
        secrets.put("network prefix " + i, IPS[i].substring(0, IPS[i].lastIndexOf('.') + 1));
      }
    }
    return secrets;
  }

  @Test
  void hostileNotesAndPlatformsAreStoredAsTextAndNeverRenderedAsHtml() {
    Api api = app.api();
    assertEquals(202, api.report(api.newToken(), IPS[0], new JsonObject().put("number", NUMBER)
        .put("category", "THREAT").put("note", HOSTILE_NOTE).put("platform", HOSTILE_PLATFORM)).statusCode());
    HttpResponse<Buffer> tooLong = api.report(api.newToken(), IPS[1], new JsonObject().put("number", NUMBER)
        .put("category", "THREAT").put("note", "x".repeat(1001)));
    assertEquals(400, tooLong.statusCode());
    assertEquals("invalid_field", tooLong.bodyAsJsonObject().getString("error"));

    // Kept exactly as written, as a string field of the report.
    List<StreamMessage<String, String>> stored = redis.commands().xrange(
        KeySchema.reports(KeySchema.shardOf("+86" + NUMBER)), Range.create("-", "+"));
    assertTrue(stored.stream().anyMatch(m -> HOSTILE_NOTE.equals(m.getBody().get("note"))), stored.toString());

    String platform = URLEncoder.encode(HOSTILE_PLATFORM, StandardCharsets.UTF_8).replace("+", "%20");
    for (String path : List.of("/v1/evidence/numbers/" + NUMBER + "?format=html",
        "/v1/evidence/platforms/" + platform + "?format=html")) {
      HttpResponse<Buffer> page = call(HttpMethod.GET, path, ADMIN_KEY, null);
      assertEquals(200, page.statusCode(), path + " " + page.bodyAsString());
      assertTrue(page.getHeader("Content-Type").startsWith("text/html"));
      String html = page.bodyAsString();
      assertFalse(html.contains("<script"), html);
      assertFalse(html.contains("<img"), html);
      assertFalse(html.contains("alert('note')"), "notes are not shown at all: " + html);
      assertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "the platform is shown escaped: " + html);
    }
  }
}
