package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.Scores;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An attacker with every token one network can get in a day, against honest reporters on several networks, with the
 * default limits: tokens per network per day, reports per reporter per day, one voice per network.
 */
@ExtendWith(VertxExtension.class)
class SybilIT {
  /** Votes decay from the start of their call's UTC day (docs/scoring.md): scores are checked against it. */
  static final java.time.Clock UTC = java.time.Clock.systemUTC();
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c
      .tokensPerNetworkPerDay(DunblockConfig.DEFAULT_TOKENS_PER_NETWORK_PER_DAY)
      .reportsPerReporterPerDay(DunblockConfig.DEFAULT_REPORTS_PER_REPORTER_PER_DAY)
      .reportsPerNetworkPerDay(DunblockConfig.DEFAULT_REPORTS_PER_NETWORK_PER_DAY));

  Api api() {
    return app.api();
  }

  /** Every token the attacker's network (198.51.100.0/24) is given today. */
  List<String> attackerTokens() {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      HttpResponse<Buffer> r = api().post("/v1/reporters", null, "X-Forwarded-For", "198.51.100." + (i % 250 + 1));
      if (r.statusCode() == 429) {
        assertEquals("rate_limited", r.bodyAsJsonObject().getString("error"));
        assertTrue(Long.parseLong(r.getHeader("Retry-After")) > 0);
        return tokens;
      }
      assertEquals(201, r.statusCode());
      tokens.add(r.bodyAsJsonObject().getString("token"));
    }
    throw new AssertionError("token issuance is not bounded per network");
  }

  /** An honest reporter who installed the app a week ago (established: its votes weigh fully). */
  String honestToken(int network) {
    return TestTokens.established();
  }

  static JsonObject report(String number, String category) {
    return new JsonObject().put("number", number).put("category", category);
  }

  @Test
  void oneNetworksTokensCannotMoveACleanNumberPastWarn() {
    List<String> tokens = attackerTokens();
    assertEquals(DunblockConfig.DEFAULT_TOKENS_PER_NETWORK_PER_DAY, tokens.size());
    for (int i = 0; i < tokens.size(); i++) {
      assertEquals(202, api().report(tokens.get(i), "198.51.100." + (i + 1), report("13800138000", "THREAT"))
          .statusCode());
    }
    JsonObject r = api().lookup("13800138000");
    // Twenty fresh tokens on one network weigh one fresh reporter (0.3 / 2.3): not even WARN any more.
    assertEquals("ALLOW", r.getString("verdict"));
    assertEquals(Scores.today(0.3, UTC), r.getDouble("score"), 0.0011,
        "twenty tokens on one network weigh one fresh reporter");
  }

  @Test
  void oneNetworksTokensCannotBuryANumberFiveHonestReportersBlocked() {
    String number = "13800138001";
    for (int net = 1; net <= 5; net++) {
      assertEquals(202, api().report(honestToken(net), "203.0." + net + ".9", report(number, "DEBT_COLLECTION"))
          .statusCode());
    }
    assertEquals("BLOCK", api().lookup(number).getString("verdict"), "five honest first reports block");

    List<String> tokens = attackerTokens();
    for (int i = 0; i < tokens.size(); i++) {
      assertEquals(202, api().report(tokens.get(i), "198.51.100." + (i + 1), report(number, "LEGITIMATE"))
          .statusCode());
    }
    JsonObject r = api().lookup(number);
    assertEquals("BLOCK", r.getString("verdict"));
    assertTrue(r.getJsonArray("reasons").contains("COUNTER_VOTES"));
  }

  @Test
  void aReporterHasADailyQuota() {
    String token = honestToken(7);
    int accepted = 0;
    HttpResponse<Buffer> first = api().report(token, "203.0.7.9", report("+8613900999999", "THREAT"),
        "Idempotency-Key", "first-report");
    assertEquals(202, first.statusCode());
    accepted++;
    HttpResponse<Buffer> last = null;
    for (int i = 0; i < DunblockConfig.DEFAULT_REPORTS_PER_REPORTER_PER_DAY + 5; i++) {
      last = api().report(token, "203.0.7.9", report("+8613900" + String.format("%06d", i), "TELEMARKETING"));
      if (last.statusCode() != 202) {
        break;
      }
      accepted++;
    }
    assertEquals(DunblockConfig.DEFAULT_REPORTS_PER_REPORTER_PER_DAY, accepted);
    assertEquals(429, last.statusCode());
    assertEquals("rate_limited", last.bodyAsJsonObject().getString("error"));
    assertNotEquals(null, last.getHeader("Retry-After"));
    // A retry of a report already stored still gets its answer, quota spent or not.
    HttpResponse<Buffer> retry = api().report(token, "203.0.7.9", report("+8613900999999", "THREAT"),
        "Idempotency-Key", "first-report");
    assertEquals(202, retry.statusCode());
    assertEquals(first.bodyAsJsonObject(), retry.bodyAsJsonObject());
    // Another reporter is not affected.
    assertEquals(202, api().report(honestToken(8), "203.0.8.9", report("13900000000", "THREAT")).statusCode());
  }
}
