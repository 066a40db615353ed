package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The trust model measured (docs/trust.md, "Weighted quorum and the attacker's budget"): attackers with a budget
 * (K networks, T tokens, D days of preparation, counter-vote floods, sleeper tokens) against innocent numbers, and
 * honest populations (established and fresh victims, address-book explosions of 20 to 200 contacts, a recycled
 * number), against the real server and Redis with the default policy and limits, on a clock the simulation moves.
 * Prints the tables (and writes them to {@code server/target/trust-simulation.md}); asserts rule 4's statements.
 *
 * <p>{@code mvn -B -o -pl server verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=TrustSimulationIT -DskipClusterITs=true}
 */
@ExtendWith(VertxExtension.class)
class TrustSimulationIT {
  static final int TARGETS = 10;
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  final MutableClock clock = new MutableClock(Instant.now());
  // The default limits, but tokens are minted here directly (as of their mint time), not asked for over HTTP.
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).clock(clock).with(c -> c
      .reportsPerReporterPerDay(DunblockConfig.DEFAULT_REPORTS_PER_REPORTER_PER_DAY)
      .reportsPerNetworkPerDay(DunblockConfig.DEFAULT_REPORTS_PER_NETWORK_PER_DAY)
      .adminKey(ADMIN_KEY));
  static final String ADMIN_KEY = "simulation-admin-key-0123456789abcdef";

  private int networks;
  private int numbers;

  Api api() {
    return app.api();
  }

  /** A network (/24) no other part of the simulation uses. */
  String network() {
    int n = ++networks;
    return "10." + (n / 250) + "." + (n % 250) + ".";
  }

  /** A number alone in its block of 100, so no RANGE pattern links the scenarios' numbers. */
  String number() {
    return String.format("+86139%06d00", ++numbers);
  }

  String token(Duration age) {
    return TestTokens.mintedAt(clock.instant().minus(age));
  }

  int report(String token, String network, String number, String category) {
    return api().report(token, network + "7", new JsonObject().put("number", number).put("category", category))
        .statusCode();
  }

  String verdict(String number) {
    return api().lookup(number).getString("verdict");
  }

  record Attack(String budget, int sent, int accepted, int blocked, int warned, String note) {
  }

  record Honest(String scenario, String reporters, String toWarn, String toBlock) {
  }

  /** K networks with one token each (age D), every token reporting every target with {@code category}. */
  Attack innocents(String budget, int k, Duration age, String category, Duration spacing) {
    List<String> nets = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      nets.add(network());
      tokens.add(token(age));
    }
    List<String> targets = new ArrayList<>();
    for (int t = 0; t < TARGETS; t++) {
      targets.add(number());
    }
    int sent = 0;
    int accepted = 0;
    for (int i = 0; i < k; i++) {
      for (String target : targets) {
        sent++;
        accepted += report(tokens.get(i), nets.get(i), target, category) == 202 ? 1 : 0;
      }
      clock.advance(spacing);
    }
    return tally(budget, sent, accepted, targets, "");
  }

  Attack tally(String budget, int sent, int accepted, List<String> targets, String note) {
    int blocked = 0;
    int warned = 0;
    for (String target : targets) {
      String v = verdict(target);
      blocked += v.equals("BLOCK") ? 1 : 0;
      warned += v.equals("WARN") ? 1 : 0;
    }
    return new Attack(budget, sent, accepted, blocked, warned, note);
  }

  /** Collector numbers blocked by five established victims, then flooded with LEGITIMATE votes. */
  Attack counterFlood(String budget, int k, Duration age) {
    List<String> collectors = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      String number = number();
      collectors.add(number);
      for (int v = 0; v < 5; v++) {
        report(token(Duration.ofDays(30)), network(), number, "DEBT_COLLECTION");
      }
      assertEquals("BLOCK", verdict(number));
    }
    int sent = 0;
    int accepted = 0;
    for (int i = 0; i < k; i++) {
      String net = network();
      String token = token(age);
      for (String number : collectors) {
        sent++;
        accepted += report(token, net, number, "LEGITIMATE") == 202 ? 1 : 0;
      }
    }
    int buried = 0;
    for (String number : collectors) {
      buried += verdict(number).equals("BLOCK") ? 0 : 1;
    }
    return new Attack(budget, sent, accepted, 0, 0, buried + "/3 collector numbers taken out of BLOCK");
  }

  /**
   * Decision farming: fresh tokens flag the attacker's own number, the attacker appeals, {@code perNetwork} fresh
   * tokens on each of {@code k} networks vouch for it, the operator rightly allows the appeal; then every voucher
   * reports the innocent targets the same day.
   */
  Attack farmedDecision(String budget, int k, int perNetwork) {
    String own = number();
    for (int i = 0; i < 4; i++) {
      report(token(Duration.ZERO), network(), own, "THREAT");
    }
    io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> filed = api().post("/v1/appeals",
        new JsonObject().put("number", own).put("contact", "me@example.com").put("reason", "my phone").encode(),
        "Content-Type", "application/json", "X-Forwarded-For", "192.0.2.1");
    assertEquals(202, filed.statusCode(), filed.bodyAsString());
    List<String> nets = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int n = 0; n < k; n++) {
      String net = network();
      for (int i = 0; i < perNetwork; i++) {
        String token = token(Duration.ZERO);
        nets.add(net);
        tokens.add(token);
        report(token, net, own, "LEGITIMATE");
      }
    }
    assertEquals(200, Api.await(api().request(io.vertx.core.http.HttpMethod.POST, "/v1/admin/appeals/"
            + filed.bodyAsJsonObject().getString("appealId") + "/decision")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("decision", "allow").toBuffer())).statusCode());
    List<String> targets = new ArrayList<>();
    for (int t = 0; t < TARGETS; t++) {
      targets.add(number());
    }
    int sent = 0;
    int accepted = 0;
    for (int i = 0; i < tokens.size(); i++) {
      for (String target : targets) {
        sent++;
        accepted += report(tokens.get(i), nets.get(i), target, "THREAT") == 202 ? 1 : 0;
      }
    }
    return tally(budget, sent, accepted, targets, "the allowed appeal credits no vote cast after it was filed, "
        + "nor any fresh token");
  }

  /** Collector numbers blocked by three established victims; the collector adds fresh votes on their networks. */
  Attack dilution(String budget, int perNetwork) {
    List<String> collectors = new ArrayList<>();
    int sent = 0;
    int accepted = 0;
    for (int c = 0; c < 3; c++) {
      String number = number();
      collectors.add(number);
      List<String> nets = new ArrayList<>();
      for (int v = 0; v < 3; v++) {
        String net = network();
        nets.add(net);
        report(token(Duration.ofDays(30)), net, number, "DEBT_COLLECTION");
      }
      assertEquals("BLOCK", verdict(number));
      for (String net : nets) {
        for (int i = 0; i < perNetwork; i++) {
          sent++;
          accepted += report(token(Duration.ZERO), net, number, "THREAT") == 202 ? 1 : 0;
        }
      }
    }
    int out = 0;
    for (String number : collectors) {
      out += verdict(number).equals("BLOCK") ? 0 : 1;
    }
    return new Attack(budget, sent, accepted, 0, 0, out + "/3 collector numbers taken out of BLOCK");
  }

  /** Reports one after another, {@code spacing} apart, each from its own network; times to WARN and BLOCK. */
  Honest victims(String scenario, List<Duration> ages, Duration spacing) {
    String number = number();
    long start = clock.millis();
    String toWarn = "never";
    String toBlock = "never";
    for (Duration age : ages) {
      report(token(age), network(), number, "DEBT_COLLECTION");
      String v = verdict(number);
      String at = since(start);
      if (toWarn.equals("never") && !v.equals("ALLOW")) {
        toWarn = at;
      }
      if (toBlock.equals("never") && v.equals("BLOCK")) {
        toBlock = at;
      }
      clock.advance(spacing);
    }
    long fresh = ages.stream().filter(a -> a.isZero()).count();
    return new Honest(scenario, (ages.size() - fresh) + " established, " + fresh + " fresh", toWarn, toBlock);
  }

  /**
   * A collector calls every contact of a borrower's address book, evenly over two hours; every fifth contact
   * reports CONTACT_HARASSMENT ten minutes after the call, from their own network; of those, {@code establishedShare}
   * had the app (an established token) before, the others install it on the day (fresh).
   */
  Honest explosion(int contacts, double establishedShare) {
    String number = number();
    long start = clock.millis();
    Duration between = Duration.ofMinutes(120).dividedBy(contacts);
    clock.advance(Duration.ofMinutes(10));
    String toWarn = "never";
    String toBlock = "never";
    int reporters = 0;
    int established = 0;
    for (int c = 0; c < contacts; c++) {
      if (c % 5 == 4) {
        reporters++;
        boolean old = established < Math.round(reporters * establishedShare);
        established += old ? 1 : 0;
        report(token(old ? Duration.ofDays(60) : Duration.ZERO), network(), number, "CONTACT_HARASSMENT");
        String v = verdict(number);
        if (toWarn.equals("never") && !v.equals("ALLOW")) {
          toWarn = since(start);
        }
        if (toBlock.equals("never") && v.equals("BLOCK")) {
          toBlock = since(start);
        }
      }
      clock.advance(between);
    }
    String explosion = api().lookup(number).getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION")
        ? ", ADDRESS_BOOK_EXPLOSION" : "";
    return new Honest("address book of " + contacts + " exploded (1 in 5 reports" + explosion + ")",
        established + " established, " + (reporters - established) + " fresh", toWarn, toBlock);
  }

  /** A collector's number blocked by five established victims, then abandoned and given to a new owner. */
  Honest recycled(boolean friendsVouch) {
    String number = number();
    for (int v = 0; v < 5; v++) {
      report(token(Duration.ofDays(30)), network(), number, "DEBT_COLLECTION");
    }
    assertEquals("BLOCK", verdict(number));
    long start = clock.millis();
    if (friendsVouch) {
      clock.advance(Duration.ofDays(1));
      for (int v = 0; v < 3; v++) {
        report(token(Duration.ofDays(30)), network(), number, "LEGITIMATE");
      }
    }
    String outOfBlock = "never";
    String toAllow = "never";
    for (int day = 0; day < 120 && toAllow.equals("never"); day++) {
      String v = verdict(number);
      if (outOfBlock.equals("never") && !v.equals("BLOCK")) {
        outOfBlock = since(start);
      }
      if (v.equals("ALLOW")) {
        toAllow = since(start);
      }
      clock.advance(Duration.ofDays(1));
    }
    return new Honest(friendsVouch ? "recycled number, 3 established friends vouch on day 1"
        : "recycled number, nobody vouches", "5 established (the old reports)", "out of BLOCK: " + outOfBlock,
        "ALLOW: " + toAllow);
  }

  String since(long startMs) {
    Duration d = Duration.ofMillis(clock.millis() - startMs);
    if (d.toHours() >= 48) {
      return d.toDays() + " d";
    }
    if (d.toMinutes() >= 120) {
      return d.toHours() + " h";
    }
    return d.toMinutes() + " min";
  }

  @Test
  void printTheAttackersBudgetsAndTheHonestScenarios() throws IOException {
    Duration day = Duration.ofDays(1);
    List<Attack> attacks = new ArrayList<>();
    // One network's whole day of tokens: one voice per number, whatever the count.
    {
      String net = network();
      List<String> targets = new ArrayList<>();
      for (int t = 0; t < TARGETS; t++) {
        targets.add(number());
      }
      int sent = 0;
      int accepted = 0;
      for (int i = 0; i < DunblockConfig.DEFAULT_TOKENS_PER_NETWORK_PER_DAY; i++) {
        String token = token(Duration.ZERO);
        for (String target : targets) {
          sent++;
          accepted += report(token, net, target, "THREAT") == 202 ? 1 : 0;
        }
      }
      attacks.add(tally("K=1, T=20, D=0", sent, accepted, targets, ""));
    }
    // A stockpile on one network (old-format tokens, installed apps): the network's budget caps its reach.
    {
      String net = network();
      List<String> targets = new ArrayList<>();
      int sent = 0;
      int accepted = 0;
      for (int i = 0; i < 600; i++) {
        String target = number();
        targets.add(target);
        sent++;
        accepted += report(TestTokens.legacy(), net, target, "THREAT") == 202 ? 1 : 0;
      }
      Attack stockpile = tally("K=1, T=600 old-format tokens, D=0", sent, accepted, targets,
          "one report per target; the network's daily budget refuses the rest");
      assertEquals(DunblockConfig.DEFAULT_REPORTS_PER_NETWORK_PER_DAY, stockpile.accepted());
      attacks.add(stockpile);
    }
    Attack three = innocents("K=3, T=3, D=0", 3, Duration.ZERO, "THREAT", Duration.ofMinutes(10));
    attacks.add(three);
    Attack eight = innocents("K=8, T=8, D=0", 8, Duration.ZERO, "THREAT", Duration.ofMinutes(10));
    attacks.add(eight);
    Attack eightFan = innocents("K=8, T=8, D=0, CONTACT_HARASSMENT within an hour", 8, Duration.ZERO,
        "CONTACT_HARASSMENT", Duration.ofMinutes(5));
    attacks.add(eightFan);
    attacks.add(innocents("K=8, T=8, D=1 (tokens 23 h old)", 8, Duration.ofHours(23), "THREAT",
        Duration.ofMinutes(10)));
    attacks.add(innocents("K=8, T=8, D=2", 8, day.multipliedBy(2), "THREAT", Duration.ofMinutes(10)));
    attacks.add(innocents("K=5, T=5, D=3", 5, day.multipliedBy(3), "THREAT", Duration.ofMinutes(10)));
    attacks.add(innocents("K=3, T=3, D=7", 3, day.multipliedBy(7), "THREAT", Duration.ofMinutes(10)));
    Attack twelve = innocents("K=12, T=12, D=0", 12, Duration.ZERO, "THREAT", Duration.ofMinutes(5));
    attacks.add(twelve);
    // Sleepers: tokens that spend three days agreeing with the crowd about real collector numbers, then attack.
    {
      List<String> nets = new ArrayList<>();
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        nets.add(network());
        tokens.add(token(Duration.ZERO));
      }
      for (int d = 0; d < 3; d++) {
        String collector = number();
        for (int v = 0; v < 5; v++) {
          report(token(Duration.ofDays(30)), network(), collector, "DEBT_COLLECTION");
        }
        for (int i = 0; i < 3; i++) {
          report(tokens.get(i), nets.get(i), collector, "DEBT_COLLECTION");
        }
        clock.advance(day);
      }
      List<String> targets = new ArrayList<>();
      int sent = 0;
      int accepted = 0;
      for (int t = 0; t < TARGETS; t++) {
        String target = number();
        targets.add(target);
        for (int i = 0; i < 3; i++) {
          sent++;
          accepted += report(tokens.get(i), nets.get(i), target, "THREAT") == 202 ? 1 : 0;
        }
      }
      attacks.add(tally("K=3 sleepers, D=3 agreeing with the crowd", sent, accepted, targets,
          "agreement earns nothing; only age does (as K=3, D=3)"));
    }
    Attack farmed = farmedDecision("decision farming: K=5, T=20 per network, D=0, vouching for an appealed number",
        5, 20);
    attacks.add(farmed);
    Attack diluted = dilution("dilution: fresh THREAT votes from the blockers' own networks (5 per network)", 5);
    attacks.add(diluted);
    attacks.add(counterFlood("counter-flood: K=8, T=8, D=0 LEGITIMATE", 8, Duration.ZERO));
    attacks.add(counterFlood("counter-flood: K=12, T=12, D=0 LEGITIMATE", 12, Duration.ZERO));
    attacks.add(counterFlood("counter-flood: K=3, T=3, D=7 LEGITIMATE", 3, day.multipliedBy(7)));

    List<Honest> honest = new ArrayList<>();
    List<Duration> fiveEstablished = List.of(day.multipliedBy(30), day.multipliedBy(30), day.multipliedBy(30),
        day.multipliedBy(30), day.multipliedBy(30));
    honest.add(victims("5 victims, one every 2 h", fiveEstablished, Duration.ofHours(2)));
    List<Duration> twelveFresh = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      twelveFresh.add(Duration.ZERO);
    }
    honest.add(victims("12 victims who install the app on the day, one every 2 h", twelveFresh,
        Duration.ofHours(2)));
    honest.add(victims("12 fresh victims, one every 5 min", twelveFresh, Duration.ofMinutes(5)));
    for (int contacts : new int[] {20, 50, 100, 200}) {
      honest.add(explosion(contacts, 0.5));
    }
    honest.add(explosion(50, 0));
    honest.add(explosion(200, 0));
    honest.add(recycled(false));
    honest.add(recycled(true));

    StringBuilder out = new StringBuilder();
    out.append("Attackers (innocent numbers: ").append(TARGETS).append(" per budget, THREAT unless said)\n\n");
    out.append("| budget | reports sent | accepted | innocent BLOCK | innocent WARN | note |\n");
    out.append("|---|---:|---:|---:|---:|---|\n");
    for (Attack a : attacks) {
      boolean flood = a.budget().startsWith("counter") || a.budget().startsWith("dilution");
      out.append("| ").append(a.budget()).append(" | ").append(a.sent()).append(" | ").append(a.accepted())
          .append(" | ").append(flood ? "-" : a.blocked() + "/" + (a.budget().contains("T=600") ? 600 : TARGETS))
          .append(" | ").append(flood ? "-" : a.warned() + "").append(" | ").append(a.note()).append(" |\n");
    }
    out.append("\nHonest reporters (each on a network of their own)\n\n");
    out.append("| scenario | reporters | time to WARN | time to BLOCK |\n|---|---|---|---|\n");
    for (Honest h : honest) {
      out.append("| ").append(h.scenario()).append(" | ").append(h.reporters()).append(" | ").append(h.toWarn())
          .append(" | ").append(h.toBlock()).append(" |\n");
    }
    System.out.println("\n" + out);
    Path file = Path.of("target", "trust-simulation.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, out);

    // Rule 4's statements, as the simulation saw them.
    assertEquals(0, three.blocked(), "three fresh networks");
    assertEquals(0, eight.blocked(), "eight fresh networks");
    assertEquals(0, eightFan.blocked(), "eight fresh networks, contact harassment within an hour");
    assertEquals(TARGETS, twelve.blocked(), "twelve fresh networks");
    assertTrue(attacks.get(0).blocked() == 0 && attacks.get(0).warned() == 0, "one network's tokens");
    assertEquals("0/3 collector numbers taken out of BLOCK", attacks.get(attacks.size() - 3).note());
    assertEquals(0, farmed.blocked(), "tokens farmed through an operator decision");
    assertEquals("0/3 collector numbers taken out of BLOCK", diluted.note());
  }
}
