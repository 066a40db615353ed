package org.dunblock.server.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.CapturedLogs;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The single lookup is answered before the router when its number needs no decoding ({@code LookupDispatch}), and
 * by the router otherwise. A client must not be able to tell the two apart: the same status, body and headers, the
 * same request id, access log line, metrics label and lookup allowance. The routed twin of a path has one digit
 * %-escaped (which the router decodes, and which the direct dispatch leaves to it).
 */
class LookupDispatchIT {
  static final int LIMIT = 4;
  static final String REPORTED = "+8613800138000";

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final CapturedLogs logs = new CapturedLogs();
  /** The allowance's minute turns only when a test says so (none does). */
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00.250Z"));
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.accessLog(true).lookupsPerClientPerMinute(LIMIT))
      .clock(clock);
  /** Each request from its own client address, so the allowance matters only where a test shares one. */
  final AtomicInteger clients = new AtomicInteger(1);

  HttpResponse<Buffer> getFrom(String client, String path, String... headers) {
    HttpRequest<Buffer> request = app.api().request(HttpMethod.GET, path).putHeader("X-Forwarded-For", client);
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return Api.await(request.send());
  }

  HttpResponse<Buffer> get(String path, String... headers) {
    return getFrom("198.51.100." + clients.getAndIncrement(), path, headers);
  }

  /** The same request for the router: the path's last digit written as a %-escape. */
  static String routed(String path) {
    int query = path.indexOf('?');
    int end = query < 0 ? path.length() : query;
    char digit = path.charAt(end - 1);
    return path.substring(0, end - 1) + "%3" + digit + path.substring(end);
  }

  @Test
  void directAndRoutedLookupsAnswerAlike() {
    Api api = app.api();
    api.report(api.newToken(), "203.0.113.5", new JsonObject().put("number", REPORTED).put("category", "THREAT"));
    for (String path : List.of("/v1/numbers/+8613912345678", "/v1/numbers/%2B8613912345678",
        "/v1/numbers/%2b8613912345678", "/v1/numbers/13912345678", "/v1/numbers/" + REPORTED,
        "/v1/numbers/6502530000?region=US", "/v1/numbers/6502530000?region=us&other=1",
        "/v1/numbers/95588", "/v1/numbers/+9991234567", "/v1/numbers/+86" + "1".repeat(48),
        "/v1/numbers/6502530000?region=XX", "/v1/numbers/6502530000?region=", "/v1/numbers/6502530000?REGION=US",
        "/v1/numbers/6502530000?region=US&region=CN", "/v1/numbers/6502530000?region=%55S",
        "/v1/numbers/+1650253000?", "/v1/numbers/6502530000?region=%ZZ", "/v1/numbers/6502530000?region=U+S")) {
      HttpResponse<Buffer> direct = get(path);
      HttpResponse<Buffer> viaRouter = get(routed(path));
      assertEquals(viaRouter.statusCode(), direct.statusCode(), path);
      assertEquals(viaRouter.bodyAsString(), direct.bodyAsString(), path);
      for (String header : List.of("Content-Type", "Content-Length", "Cache-Control", "Retry-After")) {
        assertEquals(viaRouter.getHeader(header), direct.getHeader(header), path + " " + header);
      }
      assertEquals(viaRouter.headers().size(), direct.headers().size(), path + " " + direct.headers());
    }
    assertEquals(1, get("/v1/numbers/" + REPORTED).bodyAsJsonObject().getLong("reports"));
    assertEquals("invalid_number", get("/v1/numbers/+9991234567").bodyAsJsonObject().getString("error"));
    assertEquals("invalid_region", get("/v1/numbers/6502530000?region=XX").bodyAsJsonObject().getString("error"));
  }

  @Test
  void compressedWhenTheClientAcceptsIt() {
    String path = "/v1/numbers/+8613912345678";
    HttpResponse<Buffer> direct = get(path, "Accept-Encoding", "gzip");
    HttpResponse<Buffer> viaRouter = get(routed(path), "Accept-Encoding", "gzip");
    assertEquals("gzip", viaRouter.getHeader("Content-Encoding"));
    assertEquals(viaRouter.getHeader("Content-Encoding"), direct.getHeader("Content-Encoding"));
    assertEquals(viaRouter.body(), direct.body());
  }

  @Test
  void otherRequestsUnderNumbersStillGoToTheRouter() {
    Api api = app.api();
    assertEquals(405, Api.await(api.request(HttpMethod.DELETE, "/v1/numbers/+8613912345678").send()).statusCode());
    HttpResponse<Buffer> head = Api.await(api.request(HttpMethod.HEAD, "/v1/numbers/+8613912345678").send());
    assertEquals(405, head.statusCode());
    assertEquals(200, get("/v1/numbers/+8613912345678/history").statusCode());
    assertEquals("invalid_number", get("/v1/numbers/lookup").bodyAsJsonObject().getString("error"));
    assertEquals(404, get("/v1/numbers/").statusCode());
    assertEquals(200, api.post("/v1/numbers/lookup", "{\"numbers\":[\"+8613912345678\"]}").statusCode());
  }

  @Test
  void theClientsRequestIdIsEchoedAndOtherwiseOneIsMade() {
    assertEquals("trace-me-42", get("/v1/numbers/+8613912345678", "X-Request-Id", "trace-me-42")
        .getHeader("X-Request-Id"));
    assertEquals("trace-me-43",
        get("/v1/numbers/+9991234567", "X-Request-Id", "trace-me-43").getHeader("X-Request-Id"));
    String made = get("/v1/numbers/+8613912345678", "X-Request-Id", "not sane!").getHeader("X-Request-Id");
    assertNotNull(made);
    assertNotEquals("not sane!", made);
    assertTrue(made.matches("[0-9a-f]+"), made);
  }

  @Test
  void theAccessLogAndTheMetricsNameTheRouteNotTheNumber() {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/v1/numbers/+861391234567" + i, "X-Request-Id", "ok-" + i).statusCode());
    }
    assertEquals(400, get("/v1/numbers/+9991234567", "X-Request-Id", "bad-1").statusCode());

    List<String> lines = logs.lines();
    for (String expected : List.of("request_id=ok-0 method=GET route=/v1/numbers/:number status=200",
        "request_id=ok-2 method=GET route=/v1/numbers/:number status=200",
        "request_id=bad-1 method=GET route=/v1/numbers/:number status=400")) {
      assertTrue(lines.stream().anyMatch(l -> l.contains(expected)), expected + " not in\n" + String.join("\n", lines));
    }
    assertTrue(lines.stream().noneMatch(l -> l.contains("139123456") || l.contains("9991234567")),
        "numbers are not logged");

    String metrics = app.api().get("/metrics").bodyAsString();
    for (String expected : List.of(
        "vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/v1/numbers/:number\"} 3.0",
        "vertx_http_server_requests_total{code=\"400\",method=\"GET\",route=\"/v1/numbers/:number\"} 1.0")) {
      assertTrue(metrics.contains(expected), expected + " not in\n" + metrics);
    }
  }

  @Test
  void directAndRoutedLookupsShareTheAllowance() {
    String client = "203.0.113.77";
    for (int i = 0; i < LIMIT; i += 2) {
      assertEquals(200, getFrom(client, "/v1/numbers/+861391234567" + i).statusCode());
      assertEquals(200, getFrom(client, routed("/v1/numbers/+861391234567" + i)).statusCode());
    }
    HttpResponse<Buffer> direct = getFrom(client, "/v1/numbers/+8613912345678");
    HttpResponse<Buffer> viaRouter = getFrom(client, routed("/v1/numbers/+8613912345678"));
    assertEquals(429, direct.statusCode());
    assertEquals("rate_limited", direct.bodyAsJsonObject().getString("error"));
    assertNotNull(direct.getHeader("Retry-After"));
    assertEquals(viaRouter.statusCode(), direct.statusCode());
    assertEquals(viaRouter.bodyAsString(), direct.bodyAsString());
  }
}
