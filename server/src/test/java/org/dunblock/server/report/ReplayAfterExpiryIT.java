package org.dunblock.server.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.FaultProxy;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.Scores;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A retry past the reporter's spent quota is answered from its Idempotency-Key record, atomically: when the record
 * has expired it gets 429 and stores nothing, and it can never store a new vote, at full weight or any other
 * (rule 3 and rule 4). The server reaches Redis through a {@link FaultProxy}, so the test can stretch the time
 * between admission's round trips and let the record expire in between.
 */
@ExtendWith(VertxExtension.class)
class ReplayAfterExpiryIT {
  /** Votes decay from the start of their call's UTC day (docs/scoring.md): scores are checked against it. */
  static final java.time.Clock UTC = java.time.Clock.systemUTC();
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  static Vertx vertx;
  static FaultProxy proxy;
  // One report per reporter per day: the retry below comes after the quota is spent.
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis)
      .with(c -> c.redisUrl(proxy.url()).reportsPerReporterPerDay(1));

  @BeforeAll
  static void startProxy() {
    vertx = Vertx.vertx();
    proxy = FaultProxy.start(vertx, redis.port());
  }

  @AfterAll
  static void stopProxy() {
    proxy.close();
    vertx.close();
  }

  Api api() {
    return app.api();
  }

  static JsonObject report(String number) {
    return new JsonObject().put("number", number).put("category", "THREAT");
  }

  String idempotencyKey() {
    List<String> keys = redis.commands().keys("dunblock:*idem:*");
    assertEquals(1, keys.size(), keys.toString());
    return keys.get(0);
  }

  @Test
  void aRetryWhoseRecordExpiredPastTheQuotaIsRefusedAndChangesNothing() {
    String token = api().newToken();
    HttpResponse<Buffer> first = api().report(token, "198.51.100.1", report("13800138800"),
        "Idempotency-Key", "k-1");
    assertEquals(202, first.statusCode());
    assertEquals(Scores.today(0.3, UTC), api().lookup("13800138800").getDouble("score"), 0.0011,
        "a fresh token's vote: 0.3 / 2.3");
    // The record expires (24 h later in production).
    redis.commands().del(idempotencyKey());

    HttpResponse<Buffer> retry = api().report(token, "198.51.100.1", report("13800138800"),
        "Idempotency-Key", "k-1");
    assertEquals(429, retry.statusCode(), retry.bodyAsString());
    assertEquals("rate_limited", retry.bodyAsJsonObject().getString("error"));
    JsonObject after = api().lookup("13800138800");
    assertEquals(Scores.today(0.3, UTC), after.getDouble("score"), 0.0011);
    assertEquals(1, after.getLong("reports"));
    assertTrue(redis.commands().keys("dunblock:*idem:*").isEmpty(), "nothing written, no record either");
  }

  @Test
  void aRecordExpiringBetweenAdmissionsRoundTripsNeverLetsANewVoteIn() {
    String token = api().newToken();
    HttpResponse<Buffer> first = api().report(token, "198.51.100.2", report("13800138810"),
        "Idempotency-Key", "k-2");
    assertEquals(202, first.statusCode());
    // 80 ms each way between the server and Redis: admission's first round trip reaches Redis at about 80 ms, a
    // second command at about 240 ms, a third at about 400 ms. The record expires at 320 ms, in between.
    proxy.latency(80);
    HttpResponse<Buffer> retry;
    try {
      redis.commands().pexpire(idempotencyKey(), 320);
      retry = api().report(token, "198.51.100.2", report("13800138810"), "Idempotency-Key", "k-2");
    } finally {
      proxy.latency(0);
    }
    // Either the stored answer (the record was there when looked at) or a refusal; never a new vote.
    if (retry.statusCode() == 202) {
      assertEquals(first.bodyAsJsonObject(), retry.bodyAsJsonObject());
    } else {
      assertEquals(429, retry.statusCode(), retry.bodyAsString());
    }
    JsonObject after = api().lookup("13800138810");
    assertEquals(Scores.today(0.3, UTC), after.getDouble("score"), 0.0011,
        "the fresh token's vote, not one at full weight: " + after);
    assertEquals(1, after.getLong("reports"));
  }
}
