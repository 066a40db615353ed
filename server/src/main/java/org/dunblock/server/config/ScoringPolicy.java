package org.dunblock.server.config;

import java.time.Duration;

/**
 * Thresholds that turn votes into a verdict. Score = negative / (negative + legitimateWeight * legitimate + prior),
 * where both masses decay with {@code halfLife}. BLOCK needs the score and the quorum of distinct reporters and
 * distinct networks, counted by weight (DESIGN.md rule 4); WARN needs the score only.
 *
 * <p>A vote weighs its reporter's trust times its reporter's maturity times its caller verification. Maturity is
 * {@code freshReporterWeight} for a token minted within the last day, rising linearly to 1 at
 * {@code reporterMaturity} (a day sooner for each operator confirmation of the reporter's votes, at most three); a report of a call whose
 * number failed the network's caller verification weighs {@code failedVerificationWeight} of that. The quorum counts
 * maturity times verification (trust, a measure of past accuracy, is the score's business): each reporter at most
 * 1, each network the average of its reporters (one network, one voice).
 */
public record ScoringPolicy(
    double warnScore,
    double blockScore,
    int blockMinReporters,
    int blockMinNetworks,
    double prior,
    double legitimateWeight,
    Duration halfLife,
    Duration maxReportAge,
    Duration maxClockSkew,
    double freshReporterWeight,
    Duration reporterMaturity,
    double failedVerificationWeight) {

  /**
   * The least weight a reporter's vote can have (reporter trust's floor). Rule 4 is checked with it: five reporters
   * at the floor, a day old, must still reach the block score.
   */
  public static final double MIN_TRUST = 0.6;
  public static final double DEFAULT_WARN_SCORE = 0.3;
  /**
   * Three fresh reports score 3 / (3 + 2) = 0.6, a hair less a moment later as they age; 0.55 lets the minimum quorum
   * block at once and keeps it blocked for about nine days without new reports (30-day half-life).
   */
  public static final double DEFAULT_BLOCK_SCORE = 0.55;
  public static final int DEFAULT_BLOCK_MIN_REPORTERS = 3;
  public static final int DEFAULT_BLOCK_MIN_NETWORKS = 3;
  public static final double DEFAULT_PRIOR = 2.0;
  public static final double DEFAULT_LEGITIMATE_WEIGHT = 1.0;
  public static final Duration DEFAULT_HALF_LIFE = Duration.ofDays(30);
  public static final Duration DEFAULT_MAX_REPORT_AGE = Duration.ofDays(60);
  public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  /**
   * What a token minted within the last day weighs. Rule 4 pins it between 0.25 and 0.375: twelve fresh networks
   * must reach the weighted quorum of 3 (12 * w &gt;= 3), eight must not (8 * w &lt; 3). 0.3 sits with a margin on both
   * sides (eight fresh networks count 2.4 and score 0.545, under the block score too; twelve count 3.6 and score
   * 0.643), and one fresh report alone scores 0.3 / 2.3 = 0.13: ALLOW, so it takes three fresh networks to WARN.
   */
  public static final double DEFAULT_FRESH_REPORTER_WEIGHT = 0.3;
  /** A token this old weighs fully ("about a week" in rule 4); the weight rises linearly from the end of day one. */
  public static final Duration DEFAULT_REPORTER_MATURITY = Duration.ofDays(7);
  /**
   * A report of a call whose number failed caller verification (a spoofed caller id, most likely) weighs half: the
   * number shown may belong to someone who never called, and blocking it hurts its real owner.
   */
  public static final double DEFAULT_FAILED_VERIFICATION_WEIGHT = 0.5;
  /** A token minted within this long weighs {@link #freshReporterWeight} (rule 4: "within the last day"). */
  public static final Duration FRESH_PERIOD = Duration.ofDays(1);
  /**
   * What one operator confirmation of a reporter's vote is worth: this much age on the maturity ramp. With
   * {@link #MAX_CREDITED_CONFIRMATIONS} it saves at most three of the ramp's six days; farming it takes an operator
   * decision per day saved, on votes cast by a reporter already a day old, one reporter per network per decision.
   */
  public static final Duration CONFIRMATION_CREDIT = Duration.ofDays(1);
  /** Confirmations beyond this many add no maturity (trust still moves). */
  public static final long MAX_CREDITED_CONFIRMATIONS = 3;
  /** Tolerance of the weighted quorum's sums (five votes of 0.6 add up to 2.9999999999999996). */
  public static final double QUORUM_EPSILON = 1e-9;

  public ScoringPolicy {
    if (!(warnScore > 0 && warnScore <= blockScore && blockScore <= 1)) {
      throw new ConfigException("DUNBLOCK_WARN_SCORE/DUNBLOCK_BLOCK_SCORE", "need 0 < warn <= block <= 1");
    }
    // DESIGN.md rule 4: no single source can block; three reporters on three networks is the floor.
    if (blockMinReporters < 3) {
      throw new ConfigException("DUNBLOCK_BLOCK_MIN_REPORTERS", "must be at least 3");
    }
    if (blockMinNetworks < 3) {
      throw new ConfigException("DUNBLOCK_BLOCK_MIN_NETWORKS", "must be at least 3");
    }
    if (!(prior > 0)) {
      throw new ConfigException("DUNBLOCK_SCORE_PRIOR", "must be positive");
    }
    if (!(legitimateWeight >= 0)) {
      throw new ConfigException("DUNBLOCK_LEGITIMATE_WEIGHT", "must not be negative");
    }
    if (halfLife == null || halfLife.isZero() || halfLife.isNegative()) {
      throw new ConfigException("DUNBLOCK_HALF_LIFE_DAYS", "must be positive");
    }
    if (maxReportAge == null || maxReportAge.isZero() || maxReportAge.isNegative()) {
      throw new ConfigException("DUNBLOCK_MAX_REPORT_AGE_DAYS", "must be positive");
    }
    // DESIGN.md rule 4 also promises the other direction: five reporters on five networks, reporting within a day,
    // block. Refuse settings under which they could not.
    if (blockMinReporters > 5) {
      throw new ConfigException("DUNBLOCK_BLOCK_MIN_REPORTERS", "must be at most 5 (five reporters must be able to block)");
    }
    if (blockMinNetworks > 5) {
      throw new ConfigException("DUNBLOCK_BLOCK_MIN_NETWORKS", "must be at most 5 (five networks must be able to block)");
    }
    // A vote's mass decays from the start of its call's UTC day (report.lua; DESIGN.md rule 8), so a call made up
    // to a day ago may weigh as if made two days ago.
    double dayOld = Math.pow(2, -(double) Duration.ofDays(2).toMillis() / halfLife.toMillis());
    double fiveInADay = 5 * MIN_TRUST * dayOld / (5 * MIN_TRUST * dayOld + prior);
    if (fiveInADay < blockScore) {
      throw new ConfigException("DUNBLOCK_BLOCK_SCORE", String.format(
          "%.3f is out of reach: five reports of calls up to a day old (weighing as two days old), from reporters at the lowest trust (%.1f), score %.3f "
              + "with this half-life and prior", blockScore, MIN_TRUST, fiveInADay));
    }
    // Five established reporters count 5 in the quorum whatever their trust (the checks above keep the minimums at
    // five at most), so the last of rule 4's three statements holds with the score check above.
    checkFreshTokens(freshReporterWeight, reporterMaturity, failedVerificationWeight, blockScore, blockMinReporters,
        blockMinNetworks, prior, halfLife, maxReportAge);
  }

  /** Rule 4's statements about fresh tokens, checked at start (see the constructor). */
  private static void checkFreshTokens(double freshReporterWeight, Duration reporterMaturity,
      double failedVerificationWeight, double blockScore, int minReporters, int minNetworks, double prior,
      Duration halfLife, Duration maxReportAge) {
    if (!(freshReporterWeight > 0 && freshReporterWeight < 1)) {
      throw new ConfigException("DUNBLOCK_FRESH_REPORTER_WEIGHT", "must be more than 0 and less than 1");
    }
    if (reporterMaturity == null || reporterMaturity.compareTo(FRESH_PERIOD.multipliedBy(2)) < 0
        || reporterMaturity.compareTo(maxReportAge) > 0) {
      throw new ConfigException("DUNBLOCK_REPORTER_MATURITY_DAYS",
          "must be at least 2 days and at most DUNBLOCK_MAX_REPORT_AGE_DAYS");
    }
    if (!(failedVerificationWeight > 0 && failedVerificationWeight <= 1)) {
      throw new ConfigException("DUNBLOCK_FAILED_VERIFICATION_WEIGHT", "must be more than 0 and at most 1");
    }
    // Fresh tokens on eight networks within a day never BLOCK a clean number, whatever they report: their weighted
    // quorum or their score must fall short. (Operator confirmations never lift a token out of its first day, so
    // fresh tokens weigh freshReporterWeight in the quorum whatever their trust.)
    double eight = 8 * freshReporterWeight;
    if (quorumMet(minReporters, minNetworks, 8, 8, eight, eight) && eight / (eight + prior) >= blockScore) {
      throw new ConfigException("DUNBLOCK_FRESH_REPORTER_WEIGHT", String.format(
          "%.3f lets fresh tokens on eight networks block: weighted quorum %.2f of %d, score %.3f (rule 4)",
          freshReporterWeight, eight, Math.max(minReporters, minNetworks), eight / (eight + prior)));
    }
    // Twelve fresh victims on twelve networks reporting within an hour do BLOCK.
    double twelve = 12 * freshReporterWeight;
    // (Within an hour, but the hour may straddle a midnight: masses decay from the start of the call's day.)
    double hourOld = twelve * Math.pow(2, -(double) Duration.ofHours(25).toMillis() / halfLife.toMillis());
    if (!quorumMet(minReporters, minNetworks, 12, 12, twelve, twelve)) {
      throw new ConfigException("DUNBLOCK_FRESH_REPORTER_WEIGHT", String.format(
          "%.3f keeps twelve fresh victims on twelve networks under the quorum: weighted %.2f of %d (rule 4; a "
              + "larger DUNBLOCK_BLOCK_MIN_NETWORKS needs a larger fresh weight)",
          freshReporterWeight, twelve, Math.max(minReporters, minNetworks)));
    }
    // (Implied today: twelve fresh votes that meet the quorum weigh at least 3, more than five at the lowest trust;
    // kept so the statement stays checked whatever the weights become.)
    if (hourOld / (hourOld + prior) < blockScore) {
      throw new ConfigException("DUNBLOCK_BLOCK_SCORE", String.format(
          "%.3f is out of reach for twelve fresh victims within an hour: score %.3f (rule 4)", blockScore,
          hourOld / (hourOld + prior)));
    }
  }

  /** Whether reporters and networks, counted and weighed, meet the BLOCK quorum. */
  public boolean quorumMet(long reporters, long networks, double weightedReporters, double weightedNetworks) {
    return quorumMet(blockMinReporters, blockMinNetworks, reporters, networks, weightedReporters, weightedNetworks);
  }

  private static boolean quorumMet(int minReporters, int minNetworks, long reporters, long networks,
      double weightedReporters, double weightedNetworks) {
    return reporters >= minReporters && networks >= minNetworks
        && weightedReporters + QUORUM_EPSILON >= minReporters && weightedNetworks + QUORUM_EPSILON >= minNetworks;
  }

  /**
   * What a reporter's token age makes of its votes: {@link #freshReporterWeight} within the first day (a negative
   * age, from instances' clocks disagreeing, is fresh too), then linearly up to 1 at {@link #reporterMaturity}, in
   * steps of whole days of age.
   */
  public double maturity(long ageMs) {
    return maturity(ageMs, 0);
  }

  /**
   * Maturity of a reporter whose votes operator decisions confirmed {@code confirmations} times: each confirmation
   * counts as {@link #CONFIRMATION_CREDIT} of age, at most {@link #MAX_CREDITED_CONFIRMATIONS} of them, and never
   * within the first day (a token minted within the last day is fresh whatever happened to its votes). So operator
   * decisions shorten the ramp, they never skip it (docs/trust.md, "operator confirmations").
   */
  public double maturity(long ageMs, long confirmations) {
    long fresh = FRESH_PERIOD.toMillis();
    if (ageMs < fresh) {
      return freshReporterWeight;
    }
    long credited = Math.max(0, Math.min(confirmations, MAX_CREDITED_CONFIRMATIONS));
    // In whole days of age (DESIGN.md rule 8): a weight that rose with every minute of a token's age would tell
    // whoever watches a score step when the reporter's token was minted, to within the hour.
    long day = Duration.ofDays(1).toMillis();
    long age = (ageMs + credited * CONFIRMATION_CREDIT.toMillis()) / day * day;
    double ramp = (double) (age - fresh) / (reporterMaturity.toMillis() - fresh);
    return ramp >= 1 ? 1.0 : freshReporterWeight + (1 - freshReporterWeight) * ramp;
  }

  public static ScoringPolicy defaults() {
    return new ScoringPolicy(DEFAULT_WARN_SCORE, DEFAULT_BLOCK_SCORE, DEFAULT_BLOCK_MIN_REPORTERS,
        DEFAULT_BLOCK_MIN_NETWORKS, DEFAULT_PRIOR, DEFAULT_LEGITIMATE_WEIGHT, DEFAULT_HALF_LIFE,
        DEFAULT_MAX_REPORT_AGE, DEFAULT_MAX_CLOCK_SKEW, DEFAULT_FRESH_REPORTER_WEIGHT, DEFAULT_REPORTER_MATURITY,
        DEFAULT_FAILED_VERIFICATION_WEIGHT);
  }

  static ScoringPolicy fromEnv(Env e) {
    return new ScoringPolicy(
        e.decimal("DUNBLOCK_WARN_SCORE", DEFAULT_WARN_SCORE),
        e.decimal("DUNBLOCK_BLOCK_SCORE", DEFAULT_BLOCK_SCORE),
        e.integer("DUNBLOCK_BLOCK_MIN_REPORTERS", DEFAULT_BLOCK_MIN_REPORTERS),
        e.integer("DUNBLOCK_BLOCK_MIN_NETWORKS", DEFAULT_BLOCK_MIN_NETWORKS),
        e.decimal("DUNBLOCK_SCORE_PRIOR", DEFAULT_PRIOR),
        e.decimal("DUNBLOCK_LEGITIMATE_WEIGHT", DEFAULT_LEGITIMATE_WEIGHT),
        Duration.ofDays(e.longValue("DUNBLOCK_HALF_LIFE_DAYS", DEFAULT_HALF_LIFE.toDays())),
        Duration.ofDays(e.longValue("DUNBLOCK_MAX_REPORT_AGE_DAYS", DEFAULT_MAX_REPORT_AGE.toDays())),
        DEFAULT_MAX_CLOCK_SKEW,
        e.decimal("DUNBLOCK_FRESH_REPORTER_WEIGHT", DEFAULT_FRESH_REPORTER_WEIGHT),
        Duration.ofDays(e.longValue("DUNBLOCK_REPORTER_MATURITY_DAYS", DEFAULT_REPORTER_MATURITY.toDays())),
        e.decimal("DUNBLOCK_FAILED_VERIFICATION_WEIGHT", DEFAULT_FAILED_VERIFICATION_WEIGHT));
  }
}
