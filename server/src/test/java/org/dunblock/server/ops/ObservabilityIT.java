package org.dunblock.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.CapturedLogs;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What an operator sees after traffic: per-route request metrics, the filter, Redis, queues; request ids in logs. */
class ObservabilityIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final CapturedLogs logs = new CapturedLogs();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.accessLog(true));

  @Test
  void metricsShowRoutesFilterRedisAndQueuesWithoutNumbersInLabels() {
    Api api = app.api();
    api.report(api.newToken(), "203.0.113.5", new JsonObject().put("number", "13800138000").put("category", "THREAT"));
    for (int i = 0; i < 20; i++) {
      assertEquals(200, api.get("/v1/numbers/1390000" + String.format("%04d", i)).statusCode());
    }
    assertEquals(1, api.lookup("13800138000").getLong("reports"));
    api.post("/v1/numbers/lookup", new JsonObject().put("numbers", new JsonArray().add("13800138000")).encode());
    assertEquals(400, api.get("/v1/numbers/not-a-number").statusCode());
    assertEquals(404, api.get("/no/such/13800138000").statusCode());
    // Any token is a method in a request line; invented ones must not each become a label.
    Api.await(api.request(HttpMethod.valueOf("BREWCOFFEE"), "/v1/numbers/13800138000").send());

    String metrics = api.get("/metrics").bodyAsString();
    for (String series : List.of(
        // request rate and latency per route template
        "vertx_http_server_requests_total{", "vertx_http_server_response_time_seconds_bucket{",
        "route=\"/v1/numbers/:number\"", "route=\"/v1/reports\"", "route=\"/v1/numbers/lookup\"",
        // fast path, filter, Redis, queues
        "dunblock_lookups_total{path=\"filter\"}", "dunblock_lookups_fast_path_ratio",
        "dunblock_filter_approximate_numbers", "dunblock_filter_expected_fpp",
        "dunblock_redis_commands_seconds_count{outcome=\"ok\"}", "dunblock_redis_commands_seconds_bucket{outcome=\"ok\",",
        "dunblock_redis_errors_total", "dunblock_redis_pending_commands", "dunblock_event_loop_pending_tasks",
        "dunblock_reports_total{outcome=\"counted\"}", "method=\"OTHER\"")) {
      assertTrue(metrics.contains(series), series + " missing from\n" + metrics);
    }
    assertTrue(value(metrics, "dunblock_filter_approximate_numbers") >= 1);
    double ratio = value(metrics, "dunblock_lookups_fast_path_ratio");
    assertTrue(ratio > 0.5 && ratio < 1, "20 of 22 lookups were unreported numbers: " + ratio);
    assertTrue(value(metrics, "dunblock_redis_commands_seconds_count{outcome=\"ok\"}") >= 2);
    // Labels name route templates, never the numbers in raw paths.
    for (String line : metrics.split("\n")) {
      assertFalse(line.contains("138001380") || line.contains("1390000") || line.contains("not-a-number")
          || line.contains("/no/such"), "a raw path in the metrics: " + line);
      // (The test's own HTTP client shares the server's Vert.x, and its series name the method it sent.)
      assertFalse(line.startsWith("vertx_http_server") && line.contains("BREWCOFFEE"), "a method label: " + line);
    }
  }

  static double value(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + "(?:\\{[^}]*\\})? ([0-9.eE+-]+|NaN)$")
        .matcher(metrics);
    assertTrue(m.find(), series + " has no value");
    return Double.parseDouble(m.group(1));
  }

  @Test
  void everyLoggedRequestCarriesTheRequestIdTheClientSaw() {
    HttpResponse<Buffer> traced = Api.await(app.api().request(HttpMethod.GET, "/v1/numbers/13800138000")
        .putHeader("X-Request-Id", "trace-me-42").send());
    assertEquals("trace-me-42", traced.getHeader("X-Request-Id"));
    HttpResponse<Buffer> refused = app.api().post("/v1/reports", "{}");
    String generated = refused.getHeader("X-Request-Id");
    assertTrue(generated != null && !generated.isEmpty());

    List<String> lines = logs.lines();
    assertTrue(lines.stream().anyMatch(l -> l.contains("request_id=trace-me-42 method=GET route=/v1/numbers/:number "
        + "status=200")), String.join("\n", lines));
    assertTrue(lines.stream().anyMatch(l -> l.contains("request_id=" + generated + " method=POST")
        && l.contains("status=401")), String.join("\n", lines));
    assertTrue(lines.stream().noneMatch(l -> l.contains("13800138000")), "raw paths are not logged");
  }
}
