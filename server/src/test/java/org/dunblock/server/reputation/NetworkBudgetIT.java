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
 * so a stockpile of tokens does not multiply one address's reach; a retry of a stored report is still answered. The
 * budget is charged for new votes only: re-reports and retries cannot spend a shared network's day.
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

  @Test
  void oneReporterRepeatingAReportCannotSpendItsNetworksBudget() {
    // A collector on the victims' carrier NAT /24 sends the same report over and over, with and without keys.
    String collector = TestTokens.established(clock);
    for (int i = 0; i < 30; i++) {
      assertEquals(202, api().report(collector, "198.51.103.200", report("13800138190", "THREAT")).statusCode());
      assertEquals(202, api().report(collector, "198.51.103.200", report("13800138190", "SILENT"),
          "Idempotency-Key", "again-" + (i % 3)).statusCode());
    }
    // Only its first report was a new vote: the victims on that network still have four of five.
    for (int i = 1; i <= 4; i++) {
      HttpResponse<Buffer> victim = api().report(api().newToken(), "198.51.103." + i,
          report("1380013819" + i, "CONTACT_HARASSMENT"));
      assertEquals(202, victim.statusCode(), victim.bodyAsString());
    }
    assertEquals(429, api().report(api().newToken(), "198.51.103.9", report("13800138199", "THREAT")).statusCode());
  }

  @Test
  void aReporterMayStillChangeItsOwnVoteWhenItsNetworksBudgetIsSpent() {
    String token = TestTokens.established(clock);
    assertEquals(202, api().report(token, "198.51.104.1", report("13800138200", "THREAT")).statusCode());
    for (int i = 2; i <= 5; i++) {
      assertEquals(202, api().report(TestTokens.established(clock), "198.51.104." + i,
          report("1380013820" + i, "THREAT")).statusCode());
    }
    assertEquals(429, api().report(token, "198.51.104.1", report("13800138209", "THREAT")).statusCode(),
        "a new vote: the budget is spent");
    HttpResponse<Buffer> changed = api().report(token, "198.51.104.1", report("13800138200", "LEGITIMATE"));
    assertEquals(202, changed.statusCode(), changed.bodyAsString());
    assertEquals(false, changed.bodyAsJsonObject().getBoolean("counted"));
    JsonObject r = api().lookup("13800138200");
    assertEquals(1, r.getJsonObject("categories").getInteger("LEGITIMATE"));
    assertEquals(1, r.getLong("reports"));
  }
}
