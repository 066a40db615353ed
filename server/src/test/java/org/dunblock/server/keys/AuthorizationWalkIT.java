package org.dunblock.server.keys;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Routes;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Walks every route the router serves with every role, no key, an unknown key, malformed Authorization headers and a
 * revoked key: public routes (listed here) answer them all alike, every other one refuses all but a key of a large
 * enough role (401, or 403 for too small a role).
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
      "GET /v1/numbers/{number}/history", "GET /v1/numbers/hash-prefix/{prefix}");

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
      Map.entry("GET /v1/admin/stats", Role.OPERATOR),
      Map.entry("GET /v1/admin/verified-callers", Role.ADMIN),
      Map.entry("PUT /v1/admin/verified-callers/{number}", Role.ADMIN),
      Map.entry("DELETE /v1/admin/verified-callers/{number}", Role.ADMIN),
      Map.entry("POST /v1/admin/verified-callers/import", Role.ADMIN));

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

        Map<String, String> routes = Routes.of(server);
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
          // Malformed Authorization headers: no credential, another scheme, a key with junk around it.
          assertError(call(api, method, path, "Bearer"), 401, "missing_api_key", route);
          assertError(call(api, method, path, "Token " + ADMIN_KEY), 401, "missing_api_key", route);
          assertError(call(api, method, path, ADMIN_KEY + "x"), 401, "invalid_api_key", route);
          assertError(call(api, method, path, ADMIN_KEY + " " + ADMIN_KEY), 401, "invalid_api_key", route);
          assertError(call(api, method, path, "A".repeat(5_000)), 401, "invalid_api_key", route);
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

        // Public routes neither need nor refuse keys: every credential gets the same kind of answer, never 401/403
        // (reports need a reporter token, which no API key is) and never a 5xx.
        for (String route : PUBLIC) {
          HttpMethod method = HttpMethod.valueOf(route.substring(0, route.indexOf(' ')));
          // The stream never ends; a version it did not issue is refused at once, which is all this walk needs.
          String path = routes.get(route) + (route.endsWith("/stream") ? "?since=unknown" : "");
          for (String key : new String[] {null, "dbk_not-a-real-key-at-all-000000000000", "Basic " + ADMIN_KEY, "Bearer",
              revoked, operator, ADMIN_KEY}) {
            HttpResponse<Buffer> response = call(api, method, path, key);
            String what = route + " with " + (key == null ? "no key" : key.substring(0, Math.min(12, key.length())));
            assertTrue(response.statusCode() < 500, what + " -> " + response.statusCode());
            assertNotEquals(403, response.statusCode(), what);
            if (route.equals("POST /v1/reports")) {
              assertEquals(401, response.statusCode(), what);
              assertTrue(response.bodyAsJsonObject().getString("error").endsWith("_token"), what);
            } else {
              assertNotEquals(401, response.statusCode(), what + " " + response.bodyAsString());
            }
          }
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
      boolean raw = key.startsWith("Basic ") || key.startsWith("Token ") || key.equals("Bearer");
      request.putHeader("Authorization", raw ? key : "Bearer " + key);
    }
    return Api.await(request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{}")));
  }

  static void assertError(HttpResponse<Buffer> response, int status, String code, String route) {
    assertEquals(status, response.statusCode(), route + " -> " + response.bodyAsString());
    assertEquals(code, response.bodyAsJsonObject().getString("error"), route);
  }
}
