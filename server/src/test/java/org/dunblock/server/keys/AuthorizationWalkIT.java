package org.dunblock.server.keys;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Walks every route the router serves: public ones are listed here, every other one must refuse a request without
 * a key, with an unknown key and with a revoked key (401), and with too small a role (403).
 */
@ExtendWith(VertxExtension.class)
class AuthorizationWalkIT {
  static final String ADMIN_KEY = "dbk_walk-admin-key-0123456789abcdef";

  /** Routes anyone may call (reports need a reporter token, not an API key). */
  static final Set<String> PUBLIC = Set.of(
      "GET /v1/numbers/{number}", "POST /v1/numbers/lookup", "POST /v1/reporters", "POST /v1/reports",
      "GET /health", "GET /ready", "GET /metrics", "GET /openapi.yaml",
      // The filter apps download and follow, and the key carriers verify exports with: public by design.
      "GET /v1/filter", "GET /v1/filter/changes", "GET /v1/filter/stream", "GET /.well-known/dunblock-export-key",
      // Anyone may appeal a verdict (rate-limited).
      "POST /v1/appeals",
      // The web pages (the dashboard page itself holds no data: its figures come from /v1/admin/stats) and the
      // public reports-per-day chart of a number.
      "GET /", "GET /report", "GET /appeal", "GET /dashboard", "GET /static/{file}",
      "GET /v1/numbers/{number}/history");

  /** Every protected route and the least role it needs. A new route must be added here or to PUBLIC. */
  static final Map<String, Role> PROTECTED = Map.ofEntries(
      Map.entry("PUT /v1/admin/overrides/{number}", Role.ADMIN),
      Map.entry("DELETE /v1/admin/overrides/{number}", Role.ADMIN),
      Map.entry("PUT /v1/admin/overrides/prefixes/{prefix}", Role.ADMIN),
      Map.entry("DELETE /v1/admin/overrides/prefixes/{prefix}", Role.ADMIN),
      Map.entry("GET /v1/admin/audit", Role.ADMIN),
      Map.entry("GET /v1/export", Role.OPERATOR),
      Map.entry("GET /v1/export/{version}/signature", Role.OPERATOR),
      Map.entry("GET /v1/evidence/numbers/{number}", Role.OPERATOR),
      Map.entry("GET /v1/evidence/platforms/{platform}", Role.OPERATOR),
      Map.entry("GET /v1/admin/appeals", Role.OPERATOR),
      Map.entry("POST /v1/admin/appeals/{id}/decision", Role.OPERATOR),
      Map.entry("POST /v1/admin/import", Role.OPERATOR),
      Map.entry("GET /v1/admin/stats", Role.OPERATOR));

  static Map<String, String> routes(DunblockServer server) {
    Map<String, String> routes = new TreeMap<>();
    for (Route route : server.routes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      for (HttpMethod method : route.methods()) {
        String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
        routes.put(method.name() + " " + path, route.getPath()
            .replace(":prefix", "+86138001").replaceAll(":[A-Za-z]+", "13800138000"));
      }
    }
    return routes;
  }

  @Test
  void everyProtectedEndpointRefusesMissingWrongRevokedAndTooSmallKeys(Vertx vertx) {
    try (TestRedis redis = TestRedis.start()) {
      DunblockServer server = TestServers.start(TestServers.config(redis).adminKey(ADMIN_KEY));
      Api api = new Api(vertx, server.port());
      try {
        waitReady(api);
        KeyRegistry registry = new KeyRegistry(redis.commands(), Clock.systemUTC());
        String operator = registry.create(Role.OPERATOR, "walk operator", "test").secret();
        String revoked = registry.create(Role.ADMIN, "walk revoked", "test").secret();
        registry.revoke(ApiKeySecrets.idOf(ApiKeySecrets.hash(revoked)), "test", "walk");

        Map<String, String> routes = routes(server);
        Set<String> undeclared = new TreeSet<>(routes.keySet());
        undeclared.removeAll(PUBLIC);
        undeclared.removeAll(PROTECTED.keySet());
        assertEquals(Set.of(), undeclared, "routes neither public nor declared protected");

        for (Map.Entry<String, Role> entry : PROTECTED.entrySet()) {
          String route = entry.getKey();
          HttpMethod method = HttpMethod.valueOf(route.substring(0, route.indexOf(' ')));
          String path = routes.get(route);
          assertError(call(api, method, path, null), 401, "missing_api_key", route);
          assertError(call(api, method, path, "dbk_not-a-real-key-at-all-000000000000"), 401, "invalid_api_key", route);
          assertError(call(api, method, path, "Basic " + ADMIN_KEY), 401, "missing_api_key", route);
          assertError(call(api, method, path, revoked), 401, "invalid_api_key", route);
          HttpResponse<Buffer> asOperator = call(api, method, path, operator);
          if (entry.getValue() == Role.ADMIN) {
            assertError(asOperator, 403, "forbidden", route);
          } else {
            assertNotEquals(401, asOperator.statusCode(), route);
            assertNotEquals(403, asOperator.statusCode(), route);
          }
          HttpResponse<Buffer> asAdmin = call(api, method, path, ADMIN_KEY);
          assertNotEquals(401, asAdmin.statusCode(), route + " " + asAdmin.bodyAsString());
          assertNotEquals(403, asAdmin.statusCode(), route + " " + asAdmin.bodyAsString());
        }
      } finally {
        api.close();
        server.close();
      }
    }
  }

  static HttpResponse<Buffer> call(Api api, HttpMethod method, String path, String key) {
    var request = api.request(method, path);
    if (key != null) {
      request.putHeader("Authorization", key.startsWith("Basic ") ? key : "Bearer " + key);
    }
    return Api.await(request.sendBuffer(Buffer.buffer("{}")));
  }

  static void assertError(HttpResponse<Buffer> response, int status, String code, String route) {
    assertEquals(status, response.statusCode(), route + " -> " + response.bodyAsString());
    assertEquals(code, response.bodyAsJsonObject().getString("error"), route);
  }
}
