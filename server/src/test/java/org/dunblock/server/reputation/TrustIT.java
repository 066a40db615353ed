package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.Scores;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Reporters whose votes an operator's decision overturns weigh less afterwards; those it confirms weigh more. */
@ExtendWith(VertxExtension.class)
class TrustIT {
  /** Votes decay from the start of their call's UTC day (docs/scoring.md): scores are checked against it. */
  static final java.time.Clock UTC = java.time.Clock.systemUTC();
  static final String ADMIN_KEY = "trust-admin-key-0123456789abcdef";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.adminKey(ADMIN_KEY));

  Api api() {
    return app.api();
  }

  void override(String number, String verdict) {
    assertEquals(200, Api.await(api().request(HttpMethod.PUT, "/v1/admin/overrides/" + number)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("verdict", verdict).put("reason", "operator review").toBuffer()))
        .statusCode());
  }

  /** A report that must be accepted. */
  void reported(String token, String ip, JsonObject body) {
    assertEquals(202, api().report(token, ip, body).statusCode());
  }

  static JsonObject report(String number, String category) {
    return new JsonObject().put("number", number).put("category", category);
  }

  @Test
  void aReporterOverturnedByAnOperatorWeighsLessOnItsNextReports() {
    String careless = api().establishedToken();
    String fair = api().establishedToken();
    // A bank's hotline, wrongly reported by one, defended by another.
    reported(careless, "203.0.113.1", report("95588", "DEBT_COLLECTION"));
    reported(fair, "198.51.100.1", report("95588", "LEGITIMATE"));
    override("95588", "ALLOW");

    // Alone on a fresh number, one full-weight report scores 1 / 3 = 0.333 (WARN).
    reported(careless, "203.0.113.1", report("13800138000", "THREAT"));
    JsonObject afterOverturn = api().lookup("13800138000");
    assertEquals(Scores.today(0.75, UTC), afterOverturn.getDouble("score"), 0.0011, "weight 0.75: 0.75 / 2.75");
    assertEquals("ALLOW", afterOverturn.getString("verdict"));

    reported(fair, "198.51.100.1", report("13800138001", "THREAT"));
    assertEquals(Scores.today(1.1, UTC), api().lookup("13800138001").getDouble("score"), 0.0011,
        "weight 1.1: 1.1 / 3.1");
  }

  @Test
  void reportersConfirmedByAnOperatorWeighMore() {
    String early = api().establishedToken();
    reported(early, "203.0.113.1", report("13800138002", "DEBT_COLLECTION"));
    override("13800138002", "BLOCK");
    reported(early, "203.0.113.1", report("13800138003", "DEBT_COLLECTION"));
    assertEquals(Scores.today(1.1, UTC), api().lookup("13800138003").getDouble("score"), 0.0011);
  }

  @Test
  void anOperatorDecidingTheSameWayAgainMovesTrustOnce() {
    String careless = api().establishedToken();
    reported(careless, "203.0.113.1", report("95588", "DEBT_COLLECTION"));
    override("95588", "ALLOW");
    override("95588", "ALLOW");
    override("95588", "ALLOW");
    reported(careless, "203.0.113.1", report("13800138030", "THREAT"));
    assertEquals(Scores.today(0.75, UTC), api().lookup("13800138030").getDouble("score"), 0.0011, "one overturn, 0.75");
  }

  @Test
  void trustNeverFallsBelowItsFloor() {
    String liar = api().establishedToken();
    for (int i = 0; i < 6; i++) {
      String number = "1380013801" + i;
      reported(liar, "203.0.113.1", report(number, "FRAUD"));
      override(number, "ALLOW");
    }
    reported(liar, "203.0.113.1", report("13900000000", "FRAUD"));
    // Six overturns would take it to -0.5; the floor keeps 0.6 (five reporters at the floor still block): 0.6 / 2.6.
    assertEquals(Scores.today(0.6, UTC), api().lookup("13900000000").getDouble("score"), 0.0011);
  }

  @Test
  void theCrowdsOwnOutcomeMovesTrustOnceEachWay() {
    String number = "13800138020";
    List<String> blockers = new java.util.ArrayList<>();
    for (int net = 1; net <= 3; net++) {
      String token = api().establishedToken();
      blockers.add(token);
      reported(token, "203.0." + net + ".1", report(number, "DEBT_COLLECTION"));
    }
    assertEquals("BLOCK", api().lookup(number).getString("verdict"));
    // The crowd never rewards (no trust to farm by blocking numbers): still 1 on the next lone report.
    reported(blockers.get(0), "203.0.1.1", report("13800138021", "THREAT"));
    assertEquals(Scores.today(1, UTC), api().lookup("13800138021").getDouble("score"), 0.0011);

    // Six counter-votes from six networks bring it down to ALLOW: the crowd overturned the blockers.
    for (int net = 1; net <= 6; net++) {
      reported(api().establishedToken(), "192.0." + (100 + net) + ".1", report(number, "LEGITIMATE"));
    }
    assertEquals("ALLOW", api().lookup(number).getString("verdict"));
    reported(blockers.get(1), "203.0.2.1", report("13800138022", "THREAT"));
    assertEquals(Scores.today(0.75, UTC), api().lookup("13800138022").getDouble("score"), 0.0011,
        "1 - 0.25 = 0.75: 0.75 / 2.75");

    // Blocked again and overturned again: the crowd's outcome for a number is final, no second penalty.
    for (int net = 4; net <= 12; net++) {
      reported(api().establishedToken(), "203.0." + net + ".1", report(number, "DEBT_COLLECTION"));
    }
    assertEquals("BLOCK", api().lookup(number).getString("verdict"));
    for (int net = 7; net <= 36; net++) {
      reported(api().establishedToken(), "192.0." + (100 + net) + ".1", report(number, "LEGITIMATE"));
    }
    assertEquals("ALLOW", api().lookup(number).getString("verdict"));
    reported(blockers.get(2), "203.0.3.1", report("13800138023", "THREAT"));
    assertEquals(Scores.today(0.75, UTC), api().lookup("13800138023").getDouble("score"), 0.0011);
  }
}
