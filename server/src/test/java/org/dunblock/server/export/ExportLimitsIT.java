package org.dunblock.server.export;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each export is kept for days and scans everything: a key may run 2 at once and start 48 a day. */
@ExtendWith(VertxExtension.class)
class ExportLimitsIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  MutableClock clock;
  DunblockServer server;
  Api api;

  @BeforeEach
  void start(Vertx vertx) {
    clock = new MutableClock(Instant.now());
    server = TestServers.start(TestServers.config(redis), clock);
    api = new Api(vertx, server.port());
    waitReady(api);
  }

  @AfterEach
  void stop() {
    api.close();
    server.close();
  }

  KeyRegistry.Minted operator(String label) {
    return new KeyRegistry(redis.commands(), Clock.systemUTC()).create(Role.OPERATOR, label, "test");
  }

  HttpResponse<Buffer> export(String secret) {
    HttpResponse<Buffer> response = Api.await(api.request(HttpMethod.GET, "/v1/export")
        .putHeader("Authorization", "Bearer " + secret).send());
    return response;
  }

  static void assertLimited(HttpResponse<Buffer> response) {
    assertEquals(429, response.statusCode(), response.bodyAsString());
    assertEquals("too_many_exports", response.bodyAsJsonObject().getString("error"));
    assertNotNull(response.getHeader("Retry-After"));
    assertTrue(Long.parseLong(response.getHeader("Retry-After")) >= 1);
  }

  @Test
  void aKeyStartsAtMostFortyEightExportsADay() {
    String key = operator("carrier").secret();
    for (int i = 0; i < ExportApi.MAX_PER_KEY_PER_DAY; i++) {
      // One after the other: a finished export gives its running slot back.
      assertEquals(200, export(key).statusCode(), "export " + (i + 1));
    }
    HttpResponse<Buffer> refused = export(key);
    assertLimited(refused);
    assertTrue(Long.parseLong(refused.getHeader("Retry-After")) > 23 * 3600, refused.getHeader("Retry-After"));
    assertEquals(200, export(operator("other carrier").secret()).statusCode(), "another key has its own budget");
    clock.advance(Duration.ofHours(24).plusSeconds(1));
    assertEquals(200, export(key).statusCode(), "a day later");
  }

  @Test
  void aKeyRunsAtMostTwoExportsAtOnce() {
    KeyRegistry.Minted carrier = operator("carrier");
    // Two exports of this key still running, on other instances (their leases end in a minute).
    String running = KeySchema.exportsRunning(carrier.key().id());
    redis.commands().zadd(running, clock.millis() + 60_000, "v1-elsewhere");
    redis.commands().zadd(running, clock.millis() + 60_000, "v2-elsewhere");
    assertLimited(export(carrier.secret()));
    redis.commands().zrem(running, "v1-elsewhere");
    assertEquals(200, export(carrier.secret()).statusCode(), "one finished: a slot is free");
    clock.advance(Duration.ofMinutes(2));
    redis.commands().zadd(running, clock.millis() - 1, "v3-died");
    assertEquals(200, export(carrier.secret()).statusCode(), "leases of dead instances end");
  }
}
