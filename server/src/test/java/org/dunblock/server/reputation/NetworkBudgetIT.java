package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Clock;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN.md rule 4: each network (/24, /48, after trusted proxies) has a daily report budget across all its tokens,
 * so a stockpile of tokens does not multiply one address's reach; a retry of a stored report is still answered.
 */
@ExtendWith(VertxExtension.class)
class NetworkBudgetIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  // Five reports a day per network here (the default is 500).
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.reportsPerNetworkPerDay(5));
  final Clock clock = Clock.systemUTC();

  Api api() {
    return app.api();
  }

  static JsonObject report(String number, String category) {
    return new JsonObject().put("number", number).put("category", category);
  }

  @Test
  void aNetworksDailyBudgetIsSharedByAllItsTokens() {
    assertEquals(202, api().report(TestTokens.established(clock), "198.51.100.1", report("13800138170", "THREAT"))
        .statusCode());
    // Five reports a day for the network in this test (the default is 500); each from another token.
    for (int i = 2; i <= 5; i++) {
      assertEquals(202, api().report(TestTokens.established(clock), "198.51.100." + i,
          report("1380013817" + i, "THREAT")).statusCode());
    }
    HttpResponse<Buffer> refused = api().report(TestTokens.established(clock), "198.51.100.9",
        report("13800138179", "THREAT"));
    assertEquals(429, refused.statusCode());
    assertEquals("rate_limited", refused.bodyAsJsonObject().getString("error"));
    assertTrue(Long.parseLong(refused.getHeader("Retry-After")) > 0);
    // Another network is not affected.
    assertEquals(202, api().report(TestTokens.established(clock), "198.51.101.1", report("13800138179", "THREAT"))
        .statusCode());
  }

  @Test
  void aRetryOfAStoredReportIsAnsweredWhenItsNetworksBudgetIsSpent() {
    String token = TestTokens.established(clock);
    HttpResponse<Buffer> first = api().report(token, "198.51.102.1", report("13800138180", "THREAT"),
        "Idempotency-Key", "stored-once");
    assertEquals(202, first.statusCode());
    for (int i = 2; i <= 5; i++) {
      assertEquals(202, api().report(TestTokens.established(clock), "198.51.102." + i,
          report("1380013818" + i, "THREAT")).statusCode());
    }
    assertEquals(429, api().report(token, "198.51.102.1", report("13800138189", "THREAT")).statusCode());
    HttpResponse<Buffer> retry = api().report(token, "198.51.102.1", report("13800138180", "THREAT"),
        "Idempotency-Key", "stored-once");
    assertEquals(202, retry.statusCode());
    assertEquals(first.bodyAsJsonObject(), retry.bodyAsJsonObject());
  }
}
