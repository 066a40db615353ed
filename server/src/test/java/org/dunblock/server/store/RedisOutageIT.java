package org.dunblock.server.store;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** DESIGN.md rule 7: with Redis gone, lookups still answer (flagged), reports get 503 + Retry-After, never dropped. */
@ExtendWith(VertxExtension.class)
class RedisOutageIT {

  @Test
  void lookupsDegradeAndReportsAreRefusedUntilRedisIsBack(Vertx vertx) {
    try (TestRedis redis = TestRedis.start()) {
      DunblockServer server = TestServers.start(TestServers.config(redis).lookupTimeout(Duration.ofMillis(300)));
      Api api = new Api(vertx, server.port());
      try {
        waitReady(api);
        String reported = "+8613800138000";
        JsonObject body = new JsonObject().put("number", reported).put("category", "THREAT");
        assertEquals(202, api.report(api.newToken(), "203.0.113.1", body).statusCode());
        String token = api.newToken();

        redis.stopProcess();

        JsonObject degraded = api.lookup(reported);
        assertEquals("ALLOW", degraded.getString("verdict"), "fail open: never block because we could not ask");
        assertEquals(Boolean.TRUE, degraded.getBoolean("degraded"));
        assertTrue(degraded.getJsonArray("reasons").contains("DEGRADED"));
        // Unreported numbers are still answered exactly from the filter.
        JsonObject clean = api.lookup("+8613900000000");
        assertEquals(null, clean.getBoolean("degraded"));

        var refused = api.report(token, "198.51.100.1", body);
        assertEquals(503, refused.statusCode());
        assertEquals("store_unavailable", refused.bodyAsJsonObject().getString("error"));
        assertTrue(refused.getHeader("Retry-After") != null);
        assertEquals(503, api.get("/ready").statusCode());

        redis.restartProcess();
        waitUntil("server reconnects", Duration.ofSeconds(15), () -> api.get("/ready").statusCode() == 200);
        assertEquals(202, api.report(token, "198.51.100.1", body).statusCode());
        JsonObject after = api.lookup(reported);
        assertEquals(2, after.getLong("reports"), "the report before the outage survived; the refused one was retried");
        assertEquals(null, after.getBoolean("degraded"));
      } finally {
        api.close();
        server.close();
      }
    }
  }

  @Test
  void redisRefusingWritesGivesRetryableErrorsNotFailures(Vertx vertx) {
    try (TestRedis redis = TestRedis.start()) {
      DunblockServer server = TestServers.start(TestServers.config(redis));
      Api api = new Api(vertx, server.port());
      try {
        waitReady(api);
        JsonObject body = new JsonObject().put("number", "+8613800138000").put("category", "THREAT");
        String token = api.newToken();
        redis.commands().configSet("maxmemory", "1");
        var refused = api.report(token, "203.0.113.1", body);
        assertEquals(503, refused.statusCode(), refused.bodyAsString());
        assertEquals("store_unavailable", refused.bodyAsJsonObject().getString("error"));
        assertTrue(refused.getHeader("Retry-After") != null);
        redis.commands().configSet("maxmemory", "0");
        assertEquals(202, api.report(token, "203.0.113.1", body).statusCode());
        assertEquals(1, api.lookup("+8613800138000").getLong("reports"));
      } finally {
        api.close();
        server.close();
      }
    }
  }

  @Test
  void aServerWithAnotherSecretRefusesToStartOnTheSameData() {
    try (TestRedis redis = TestRedis.start()) {
      TestServers.start(TestServers.config(redis)).close();
      IllegalStateException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
          () -> TestServers.start(TestServers.config(redis).secret("a-different-secret-0123456789")));
      assertTrue(refused.getMessage().contains("another DUNBLOCK_SECRET"), refused.getMessage());
    }
  }
}
