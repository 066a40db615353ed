package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.dunblock.server.config.ScoringPolicy;
import org.junit.jupiter.api.Test;

class ReputationCalculatorTest {
  static final long NOW = 1_800_000_000_000L;
  static final long DAY = Duration.ofDays(1).toMillis();
  final ReputationCalculator calculator = new ReputationCalculator(ScoringPolicy.defaults(), Duration.ofDays(365));

  static Map<String, String> record(double neg, double leg, long negReporters, long networks, long ref) {
    Map<String, String> f = new HashMap<>();
    f.put("neg", Double.toString(neg));
    f.put("leg", Double.toString(leg));
    f.put("ref", Long.toString(ref));
    f.put("reports", Long.toString(negReporters + (long) Math.ceil(leg)));
    f.put("negr", Long.toString(negReporters));
    f.put("negnets", Long.toString(networks));
    f.put("first", Long.toString(ref));
    f.put("last", Long.toString(ref));
    f.put("c:DEBT_COLLECTION", Long.toString(negReporters));
    return f;
  }

  @Test
  void emptyRecordIsTheUnreportedAnswer() {
    assertEquals(Reputation.unreported("+8613800138000"), calculator.evaluate("+8613800138000", Map.of(), NOW));
  }

  @Test
  void oneReportWarnsButNeverBlocks() {
    Reputation r = calculator.evaluate("+1", record(1, 0, 1, 1, NOW), NOW);
    assertEquals(Verdict.WARN, r.verdict());
    assertEquals(0.333, r.score());
  }

  @Test
  void fiveFreshReportsOnFiveNetworksBlock() {
    Reputation r = calculator.evaluate("+1", record(5, 0, 5, 5, NOW), NOW + DAY);
    assertEquals(Verdict.BLOCK, r.verdict());
    assertEquals(r.reasons(), java.util.List.of(Reasons.CROWD_REPORTS));
  }

  @Test
  void highScoreWithoutNetworkQuorumOnlyWarns() {
    Reputation r = calculator.evaluate("+1", record(50, 0, 50, 2, NOW), NOW);
    assertEquals(Verdict.WARN, r.verdict());
    assertTrue(r.reasons().contains(Reasons.QUORUM_NOT_MET));
  }

  @Test
  void counterVotesPullTheScoreDown() {
    Reputation blocked = calculator.evaluate("+1", record(5, 0, 5, 5, NOW), NOW);
    // Three established counter-voters on three networks: the weighted quorum a counter-vote needs to unblock.
    Map<String, String> countered = record(5, 3, 5, 5, NOW);
    countered.put("legnq", "3");
    Reputation contested = calculator.evaluate("+1", countered, NOW);
    assertTrue(contested.score() < blocked.score());
    assertEquals(Verdict.WARN, contested.verdict());
    assertTrue(contested.reasons().contains(Reasons.COUNTER_VOTES));
  }

  @Test
  void counterVotesUnderTheirOwnWeightedQuorumCannotUnblock() {
    // Eight fresh counter-votes (0.3 each: 2.4 networks by weight) pull the score under the block score...
    Map<String, String> buried = record(5, 2.4, 5, 5, NOW);
    buried.put("legnets", "8");
    buried.put("legnq", "2.4");
    Reputation r = calculator.evaluate("+1", buried, NOW);
    assertTrue(r.score() < ScoringPolicy.DEFAULT_BLOCK_SCORE, "score " + r.score());
    // ...and the number stays BLOCK, its counter-votes shown.
    assertEquals(Verdict.BLOCK, r.verdict());
    assertTrue(r.reasons().contains(Reasons.COUNTER_VOTES));
  }

  @Test
  void freshReportersOnManyNetworksMissTheWeightedQuorum() {
    // Eight fresh reporters on eight networks, had their score reached the block score, count 2.4 by weight.
    Map<String, String> fresh = record(5, 0, 8, 8, NOW);
    fresh.put("negq", "2.4");
    fresh.put("negnq", "2.4");
    Reputation r = calculator.evaluate("+1", fresh, NOW);
    assertEquals(Verdict.WARN, r.verdict());
    assertTrue(r.reasons().contains(Reasons.QUORUM_NOT_MET));
    fresh.put("negq", "3.6");
    fresh.put("negnq", "3.6");
    assertEquals(Verdict.BLOCK, calculator.evaluate("+1", fresh, NOW).verdict());
  }

  @Test
  void evidenceLosesHalfItsWeightPerHalfLife() {
    Map<String, String> f = record(6, 0, 6, 6, NOW);
    double fresh = calculator.score(6, 0);
    double aged = calculator.evaluate("+1", f, NOW + 30 * DAY).score();
    assertEquals(calculator.score(3, 0), aged, 0.001);
    assertTrue(aged < fresh);
    assertEquals(Verdict.ALLOW, calculator.evaluate("+1", f, NOW + 120 * DAY).verdict());
  }

  @Test
  void recordsOlderThanTheRetentionAreGone() {
    Reputation r = calculator.evaluate("+1", record(5, 0, 5, 5, NOW), NOW + 366 * DAY);
    assertEquals(Reputation.unreported("+1"), r);
    assertNull(r.firstReported());
  }

  @Test
  void patternsRaiseAllowToWarnButNeverBlockAndNeverPastAnOverride() {
    Map<String, String> f = record(1, 10, 1, 1, NOW);
    f.put("fan_until", Long.toString(NOW + 1));
    Reputation raised = calculator.evaluate("+1", f, NOW);
    assertEquals(Verdict.WARN, raised.verdict());
    assertEquals(java.util.List.of(Reasons.COUNTER_VOTES, Reasons.ADDRESS_BOOK_EXPLOSION), raised.reasons());
    assertEquals(Verdict.ALLOW, calculator.evaluate("+1", f, NOW + 1).verdict(), "the window has passed");

    f.put("bomb_until", Long.toString(NOW + 1));
    f.put("ovr", "ALLOW");
    Reputation overridden = calculator.evaluate("+1", f, NOW);
    assertEquals(Verdict.ALLOW, overridden.verdict());
    assertEquals(Reasons.OPERATOR_OVERRIDE, overridden.reasons().get(0));
  }

  @Test
  void aRangeCountsOtherMembersThatAreStillBlock() {
    Map<String, String> range = new HashMap<>();
    for (int i = 0; i < 4; i++) {
      range.put("+8613800138" + (100 + i), Long.toString(NOW + DAY));
    }
    assertEquals(java.util.List.of(Reasons.RANGE),
        calculator.evaluate("+8613800138150", Map.of(), null, range, NOW).reasons());
    assertEquals(Verdict.ALLOW, calculator.evaluate("+8613800138150", Map.of(), null, range, NOW + DAY).verdict());
    // A member does not count itself.
    assertEquals(Verdict.ALLOW, calculator.evaluate("+8613800138100", Map.of(), null, range, NOW).verdict());
  }

  @Test
  void blockedUntilIsWhenTheScoreDecaysBelowTheBlockScore() {
    // 5f / (5f + 2) >= 0.55 while f >= 0.489: about 1.03 half-lives (30 days each).
    long until = calculator.blockedUntil("+1", record(5, 0, 5, 5, NOW), NOW);
    assertEquals(Verdict.BLOCK, calculator.evaluate("+1", record(5, 0, 5, 5, NOW), until).verdict());
    assertEquals(Verdict.WARN, calculator.evaluate("+1", record(5, 0, 5, 5, NOW), until + 60_001).verdict());
    assertTrue(until > NOW + 30 * DAY && until < NOW + 32 * DAY, Long.toString(until - NOW));
    assertEquals(0, calculator.blockedUntil("+1", record(2, 0, 2, 2, NOW), NOW));
  }
}
