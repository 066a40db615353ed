package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.Scores;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An operator's decision cannot be farmed into established reporters (docs/trust.md, "operator confirmations"): it
 * credits only votes cast before the number was appealed, by reporters already a day old, one per network, and a
 * confirmation is worth a day of age, not the whole ramp. Honest reporters it confirms still gain.
 */
@ExtendWith(VertxExtension.class)
class DecisionFarmingIT {
  static final String ADMIN_KEY = "farming-admin-key-0123456789abcdef";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  final MutableClock clock = new MutableClock(Instant.now());
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).clock(clock).with(c -> c.adminKey(ADMIN_KEY));

  Api api() {
    return app.api();
  }

  static JsonObject report(String number, String category) {
    return new JsonObject().put("number", number).put("category", category);
  }

  void reported(String token, String ip, String number, String category) {
    assertEquals(202, api().report(token, ip, report(number, category)).statusCode());
  }

  /** Fresh tokens on networks 203.0.{1..networks}.0/24 report the number as a threat. */
  void flaggedByFreshTokens(String number, int networks) {
    for (int net = 1; net <= networks; net++) {
      reported(api().newToken(), "203.0." + net + ".7", number, "THREAT");
    }
  }

  String appeal(String number) {
    HttpResponse<Buffer> filed = api().post("/v1/appeals", new JsonObject().put("number", number)
            .put("contact", "owner@example.com").put("reason", "This is my own phone.").encode(),
        "Content-Type", "application/json", "X-Forwarded-For", "192.0.2.99");
    assertEquals(202, filed.statusCode(), filed.bodyAsString());
    return filed.bodyAsJsonObject().getString("appealId");
  }

  void allow(String appealId) {
    HttpResponse<Buffer> decided = Api.await(api().request(HttpMethod.POST, "/v1/admin/appeals/" + appealId
            + "/decision").putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("decision", "allow").toBuffer()));
    assertEquals(200, decided.statusCode(), decided.bodyAsString());
  }

  void override(String number, String verdict) {
    assertEquals(200, Api.await(api().request(HttpMethod.PUT, "/v1/admin/overrides/" + number)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("verdict", verdict).put("reason", "operator review").toBuffer()))
        .statusCode());
  }

  /** The score of a number reported only by this token: its vote's weight w scores w / (w + 2). */
  double loneScore(String token, String ip, String number) {
    reported(token, ip, number, "THREAT");
    return api().lookup(number).getDouble("score");
  }

  @Test
  void tokensThatVouchForAnAppealedNumberCannotBlockAnInnocentNumberThatDay() {
    String own = "13800138600";
    // The attacker's own SIM, flagged by its fresh tokens on four networks, then appealed as the owner would.
    flaggedByFreshTokens(own, 4);
    assertEquals("WARN", api().lookup(own).getString("verdict"));
    String appealId = appeal(own);
    // Twenty fresh tokens on each of five networks vouch for it while the appeal waits.
    List<String> tokens = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    for (int net = 1; net <= 5; net++) {
      for (int i = 0; i < 20; i++) {
        String token = api().newToken();
        String ip = "198.51." + net + "." + (10 + i);
        tokens.add(token);
        ips.add(ip);
        reported(token, ip, own, "LEGITIMATE");
      }
    }
    // The operator rightly allows the appeal: it is the appellant's number.
    allow(appealId);
    assertEquals("ALLOW", api().lookup(own).getString("verdict"));

    // The same day, all hundred tokens turn on an innocent number: five fresh networks, no BLOCK.
    String innocent = "13800138601";
    for (int i = 0; i < tokens.size(); i++) {
      reported(tokens.get(i), ips.get(i), innocent, "THREAT");
    }
    JsonObject r = api().lookup(innocent);
    assertNotEquals("BLOCK", r.getString("verdict"), r.encode());
    assertEquals(5, r.getLong("networks"));
  }

  @Test
  void anAllowedAppealCreditsOnlyVotesCastBeforeItWasFiled() {
    String number = "13800138610";
    flaggedByFreshTokens(number, 6);
    // An established friend vouches before the appeal; another, as established, only once the appeal is pending.
    String before = TestTokens.established(clock);
    reported(before, "198.51.20.1", number, "LEGITIMATE");
    assertEquals("WARN", api().lookup(number).getString("verdict"));
    clock.advance(Duration.ofMinutes(1));
    String appealId = appeal(number);
    clock.advance(Duration.ofMinutes(1));
    String after = TestTokens.established(clock);
    reported(after, "198.51.21.1", number, "LEGITIMATE");
    allow(appealId);

    assertEquals(Scores.today(1.1, clock), loneScore(before, "198.51.20.1", "13800138611"),
        "confirmed: trust 1.1, 1.1 / 3.1");
    assertEquals(Scores.today(1, clock), loneScore(after, "198.51.21.1", "13800138612"), "no credit: 1 / 3");
  }

  @Test
  void aConfirmationShortensTheRampByADayForOneReporterPerNetwork() {
    String number = "13800138620";
    flaggedByFreshTokens(number, 3);
    // Three tokens two days old share a network; a fresh one is on another.
    List<String> shared = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String token = TestTokens.mintedAgo(clock, Duration.ofDays(2));
      shared.add(token);
      reported(token, "198.51.30." + (i + 1), number, "LEGITIMATE");
      clock.advance(Duration.ofMinutes(1));
    }
    String fresh = api().newToken();
    reported(fresh, "198.51.31.1", number, "LEGITIMATE");
    override(number, "ALLOW");

    // The network's first voucher is credited: trust 1.1, maturity at 2 + 1 days 0.533: 0.587 / 2.587.
    // (The tokens are a few minutes older than two days by now: within 0.001.)
    assertEquals(Scores.today(1.1 * (0.3 + 0.7 * 2 / 6), clock),
        loneScore(shared.get(0), "198.51.30.1", "13800138621"), 0.0011);
    // Its neighbours are not: maturity at 2 days 0.417, 0.417 / 2.417.
    assertEquals(Scores.today(0.3 + 0.7 / 6, clock), loneScore(shared.get(1), "198.51.30.2", "13800138622"), 0.0011);
    assertEquals(Scores.today(0.3 + 0.7 / 6, clock), loneScore(shared.get(2), "198.51.30.3", "13800138623"), 0.0011);
    // A token within its first day earns nothing from a decision: 0.3 / 2.3.
    assertEquals(Scores.today(0.3, clock), loneScore(fresh, "198.51.31.1", "13800138624"));
  }

  @Test
  void confirmationsNeverMakeAReporterEstablishedBeforeItsTime() {
    // A token two days old, confirmed by five operator decisions, counts three days at most: 2 + 3 = 5 days,
    // maturity 0.3 + 0.7 * 4/6 = 0.767; its trust is 1.5 by then, weight 1.15: 1.15 / 3.15.
    String token = TestTokens.mintedAgo(clock, Duration.ofDays(2));
    for (int i = 0; i < 5; i++) {
      String number = "1380013863" + i;
      reported(token, "198.51.40.1", number, "DEBT_COLLECTION");
      clock.advance(Duration.ofMinutes(1));
      override(number, "BLOCK");
    }
    assertEquals(Scores.today(1.15, clock), loneScore(token, "198.51.40.1", "13800138639"));
  }
}
