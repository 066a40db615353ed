package org.dunblock.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Clock;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /v1/admin/stats: the dashboard's figures, from real reports and lookups, and nothing about reporters. */
class StatsIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);

  @Test
  void figuresCountReportsLookupsBlockedNumbersAndExplosions() {
    Api api = app.api();
    String[] networks = {"203.0.113.7", "198.51.100.7", "192.0.2.7", "100.64.1.7", "100.64.2.7"};
    for (String network : networks) {
      JsonObject body = new JsonObject().put("number", "13800138000").put("category", "CONTACT_HARASSMENT")
          .put("platform", "Quick Cash");
      assertEquals(202, api.report(api.establishedToken(), network, body).statusCode());
    }
    String other = api.establishedToken();
    assertEquals(202, api.report(other, "203.0.113.8",
        new JsonObject().put("number", "13900139000").put("category", "FRAUD")).statusCode());
    assertEquals(200, api.get("/v1/numbers/13700137000").statusCode()); // nobody reported it: the fast path
    assertEquals(200, api.get("/v1/numbers/13800138000").statusCode());

    JsonObject stats = stats(api).bodyAsJsonObject();
    assertEquals(2L, stats.getLong("listed"));
    assertEquals(1L, stats.getLong("blocked"));
    assertTrue(stats.getBoolean("blockedExact"));
    assertEquals("+8613800138000", stats.getJsonArray("explosionAlerts").getJsonObject(0).getString("number"));
    assertEquals(1, stats.getJsonArray("explosionAlerts").size());
    JsonObject reports = stats.getJsonObject("reports");
    assertEquals(6L, reports.getLong("last24h"));
    assertTrue(reports.getBoolean("complete"));
    assertEquals(new JsonObject().put("number", "+8613800138000").put("reports", 5L),
        reports.getJsonArray("topNumbers").getJsonObject(0));
    assertEquals(new JsonObject().put("name", "quick cash").put("reports", 5L),
        reports.getJsonArray("topPlatforms").getJsonObject(0));
    assertEquals(1, reports.getJsonArray("topPlatforms").size());
    assertEquals(6L, reports.getJsonArray("perMinute").stream().mapToLong(v -> ((Number) v).longValue()).sum());
    JsonObject lookups = stats.getJsonObject("lookups");
    assertTrue(lookups.getJsonObject("byPath").getLong("filter") >= 1);
    assertTrue(lookups.getJsonObject("byPath").getLong("store") >= 1);
    assertTrue(lookups.getJsonArray("perMinute").stream().mapToLong(v -> ((Number) v).longValue()).sum() >= 2);
    // Counts, numbers and platform names only: no reporter or network hash, no note.
    assertFalse(stats.encode().contains("\"r\"") || stats.encode().contains("\"net\""), stats.encode());
  }

  @Test
  void anOperatorKeyIsNeeded() {
    HttpResponse<Buffer> response = app.api().get("/v1/admin/stats");
    assertEquals(401, response.statusCode());
    assertEquals("missing_api_key", response.bodyAsJsonObject().getString("error"));
  }

  private static HttpResponse<Buffer> stats(Api api) {
    String key = new KeyRegistry(redis.commands(), Clock.systemUTC()).create(Role.OPERATOR, "stats", "test").secret();
    HttpResponse<Buffer> response = Api.await(api.request(HttpMethod.GET, "/v1/admin/stats")
        .putHeader("Authorization", "Bearer " + key).send());
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals("no-store", response.getHeader("Cache-Control"));
    return response;
  }
}
