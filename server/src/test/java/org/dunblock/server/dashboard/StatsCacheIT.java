package org.dunblock.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stats read tens of thousands of stream entries: an instance computes them at most every 10 s. */
class StatsCacheIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  final MutableClock clock = new MutableClock(Instant.now());
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).clock(clock);

  @Test
  void aSecondCallWithinTenSecondsIsAnsweredFromTheLastComputation() {
    Api api = app.api();
    String key = new KeyRegistry(redis.commands(), Clock.systemUTC()).create(Role.OPERATOR, "stats", "test").secret();
    assertEquals(202, api.report(api.establishedToken(), "203.0.113.7",
        new JsonObject().put("number", "13800138000").put("category", "FRAUD")).statusCode());
    assertEquals(1L, last24h(api, key));

    assertEquals(202, api.report(api.establishedToken(), "198.51.100.7",
        new JsonObject().put("number", "13900139000").put("category", "FRAUD")).statusCode());
    clock.advance(Duration.ofSeconds(9));
    assertEquals(1L, last24h(api, key), "within the window: the figures computed before");
    clock.advance(Duration.ofSeconds(2));
    assertEquals(2L, last24h(api, key), "after the window: computed again");
  }

  static long last24h(Api api, String key) {
    var response = Api.await(api.request(HttpMethod.GET, "/v1/admin/stats")
        .putHeader("Authorization", "Bearer " + key).send());
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getJsonObject("reports").getLong("last24h");
  }
}
