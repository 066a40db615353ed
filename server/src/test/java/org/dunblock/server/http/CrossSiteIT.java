package org.dunblock.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.vertx.junit5.VertxExtension;

/**
 * A web page on another site can make its visitors' browsers send "simple" requests (text/plain or form bodies, no
 * custom headers) without a CORS preflight. None of them may change state here.
 */
@ExtendWith(VertxExtension.class)
class CrossSiteIT {
  static final String ADMIN_KEY = "admin-key-cross-site-0123456789";
  static TestRedis redis;
  static DunblockServer server;
  static Api api;

  @BeforeAll
  static void start(Vertx vertx) {
    redis = TestRedis.start();
    server = TestServers.start(TestServers.config(redis).adminKey(ADMIN_KEY));
    api = new Api(vertx, server.port());
  }

  @AfterAll
  static void stop() {
    api.close();
    server.close();
    redis.close();
  }

  HttpResponse<Buffer> send(HttpMethod method, String path, String body, String... headers) {
    HttpRequest<Buffer> request = api.request(method, path);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return Api.await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)));
  }

  static void assertError(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals(code, new JsonObject(response.bodyAsString()).getString("error"), response.bodyAsString());
  }

  @Test
  void aDnsRebindingPageCannotMintTokensOrReport(Vertx vertx) {
    // A page on evil.example, its name re-pointed at this server: Origin and Host both say evil.example.
    String[] rebound = {"Host", "evil.example", "Origin", "http://evil.example", "Sec-Fetch-Site", "same-origin"};
    assertError(send(HttpMethod.POST, "/v1/reporters", null, rebound), 421, "unknown_host");
    String token = api.newToken();
    String report = new JsonObject().put("number", "13800138123").put("category", "FRAUD").encode();
    String[] withToken = {"Host", "evil.example", "Origin", "http://evil.example", "Authorization", "Bearer " + token,
        "Content-Type", "application/json"};
    assertError(send(HttpMethod.POST, "/v1/reports", report, withToken), 421, "unknown_host");
    assertEquals(0, api.lookup("13800138123").getLong("reports"), "nothing was reported");
    // A sibling subdomain's page is same-site, not same-origin.
    assertError(send(HttpMethod.POST, "/v1/reporters", null, "Sec-Fetch-Site", "same-site"), 403,
        "cross_site_request");

    // The names the operator lists are served; IP literals and localhost always are.
    DunblockServer named = TestServers.start(TestServers.config(redis)
        .publicHosts(java.util.Set.of("dunblock.example")));
    Api namedApi = new Api(vertx, named.port());
    try {
      HttpRequest<Buffer> request = namedApi.request(HttpMethod.POST, "/v1/reporters")
          .putHeader("Host", "dunblock.example").putHeader("Origin", "https://dunblock.example");
      assertEquals(201, Api.await(request.send()).statusCode());
      assertEquals(201, Api.await(namedApi.request(HttpMethod.POST, "/v1/reporters")
          .putHeader("Host", "localhost:" + named.port()).send()).statusCode());
      assertEquals(421, Api.await(namedApi.request(HttpMethod.POST, "/v1/reporters")
          .putHeader("Host", "dunblock.example.evil.example").send()).statusCode());
    } finally {
      namedApi.close();
      named.close();
    }
  }

  @Test
  void aTextPlainBodyMintsNoToken() {
    assertError(send(HttpMethod.POST, "/v1/reporters", "x", "Content-Type", "text/plain"),
        415, "unsupported_media_type");
  }

  @Test
  void aTokenRequestWithoutABodyStillWorks() {
    assertEquals(201, send(HttpMethod.POST, "/v1/reporters", null).statusCode());
    assertEquals(201, send(HttpMethod.POST, "/v1/reporters", "").statusCode());
  }

  @Test
  void jsonBodiesSentAsFormsOrTextAreRefused() {
    String token = api.newToken();
    String report = new JsonObject().put("number", "13800138123").put("category", "FRAUD").encode();
    for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"}) {
      assertError(send(HttpMethod.POST, "/v1/reports", report, "Authorization", "Bearer " + token,
          "Content-Type", type), 415, "unsupported_media_type");
      assertError(send(HttpMethod.POST, "/v1/numbers/lookup", "{\"numbers\":[\"13800138000\"]}",
          "Content-Type", type), 415, "unsupported_media_type");
      assertError(send(HttpMethod.POST, "/v1/appeals", "{}", "Content-Type", type), 415, "unsupported_media_type");
      assertError(send(HttpMethod.PUT, "/v1/admin/overrides/13800138124",
          "{\"verdict\":\"BLOCK\",\"reason\":\"x\"}", "Authorization", "Bearer " + ADMIN_KEY, "Content-Type", type),
          415, "unsupported_media_type");
    }
    // A body without any Content-Type is not JSON either.
    assertError(send(HttpMethod.POST, "/v1/numbers/lookup", "{\"numbers\":[\"13800138000\"]}"),
        415, "unsupported_media_type");
    assertEquals("ALLOW", api.lookup("13800138124").getString("verdict"));
  }

  @Test
  void jsonWithACharsetIsAccepted() {
    HttpResponse<Buffer> answer = send(HttpMethod.POST, "/v1/numbers/lookup", "{\"numbers\":[\"13800138000\"]}",
        "Content-Type", "application/json; charset=UTF-8");
    assertEquals(200, answer.statusCode(), answer.bodyAsString());
    assertError(send(HttpMethod.POST, "/v1/numbers/lookup", "{\"numbers\":[\"13800138000\"]}",
        "Content-Type", "application/json; charset=latin1"), 415, "unsupported_media_type");
  }

  @Test
  void stateChangingRequestsFromAnotherSiteAreRefused() {
    assertError(send(HttpMethod.POST, "/v1/reporters", null, "Sec-Fetch-Site", "cross-site"),
        403, "cross_site_request");
    assertError(send(HttpMethod.POST, "/v1/reporters", null, "Origin", "https://evil.example"),
        403, "cross_site_request");
    assertError(send(HttpMethod.POST, "/v1/reporters", null, "Origin", "null"), 403, "cross_site_request");
    // Imports take CSV, a simple content type: only the origin check stands between them and another site.
    assertError(send(HttpMethod.POST, "/v1/admin/import?source=evil&weight=1", "13800138125\n",
        "Authorization", "Bearer " + ADMIN_KEY, "Content-Type", "text/csv", "Origin", "https://evil.example"),
        403, "cross_site_request");
    assertError(send(HttpMethod.DELETE, "/v1/admin/overrides/13800138126", null,
        "Authorization", "Bearer " + ADMIN_KEY, "Sec-Fetch-Site", "cross-site"), 403, "cross_site_request");
    assertEquals("ALLOW", api.lookup("13800138125").getString("verdict"));
  }

  @Test
  void ourOwnPagesMayStillPost() {
    String self = "http://127.0.0.1:" + server.port();
    assertEquals(201, send(HttpMethod.POST, "/v1/reporters", null, "Origin", self,
        "Sec-Fetch-Site", "same-origin").statusCode());
    assertEquals(201, send(HttpMethod.POST, "/v1/reporters", null, "Sec-Fetch-Site", "none").statusCode());
  }

  @Test
  void readsCarryNoCorsHeaders() {
    HttpResponse<Buffer> lookup = send(HttpMethod.GET, "/v1/numbers/13800138000", null,
        "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site");
    assertEquals(200, lookup.statusCode());
    assertNull(lookup.getHeader("Access-Control-Allow-Origin"));
    HttpResponse<Buffer> preflight = send(HttpMethod.OPTIONS, "/v1/reporters", null,
        "Origin", "https://evil.example", "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "content-type");
    assertNull(preflight.getHeader("Access-Control-Allow-Origin"));
    assertNull(preflight.getHeader("Access-Control-Allow-Methods"));
  }
}
