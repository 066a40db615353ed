package org.dunblock.server.config;

import java.time.Duration;

/**
 * Thresholds that turn votes into a verdict. Score = negative / (negative + legitimateWeight * legitimate + prior),
 * where both masses decay with {@code halfLife}. BLOCK needs the score and the quorum of distinct reporters and
 * distinct networks; WARN needs the score only.
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
    Duration maxClockSkew) {

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
    double dayOld = Math.pow(2, -(double) Duration.ofDays(1).toMillis() / halfLife.toMillis());
    double fiveInADay = 5 * MIN_TRUST * dayOld / (5 * MIN_TRUST * dayOld + prior);
    if (fiveInADay < blockScore) {
      throw new ConfigException("DUNBLOCK_BLOCK_SCORE", String.format(
          "%.3f is out of reach: five reports a day old, from reporters at the lowest trust (%.1f), score %.3f "
              + "with this half-life and prior", blockScore, MIN_TRUST, fiveInADay));
    }
  }

  public static ScoringPolicy defaults() {
    return new ScoringPolicy(DEFAULT_WARN_SCORE, DEFAULT_BLOCK_SCORE, DEFAULT_BLOCK_MIN_REPORTERS,
        DEFAULT_BLOCK_MIN_NETWORKS, DEFAULT_PRIOR, DEFAULT_LEGITIMATE_WEIGHT, DEFAULT_HALF_LIFE,
        DEFAULT_MAX_REPORT_AGE, DEFAULT_MAX_CLOCK_SKEW);
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
        DEFAULT_MAX_CLOCK_SKEW);
  }
}
