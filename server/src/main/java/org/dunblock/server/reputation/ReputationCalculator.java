package org.dunblock.server.reputation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dunblock.server.config.ScoringPolicy;
import org.dunblock.server.store.NumberRecord;

/**
 * Evaluates a number's stored record at a point in time. The record keeps decayed vote masses referred to a
 * timestamp ({@code ref}), so the answer changes as evidence ages without rewriting Redis.
 */
public final class ReputationCalculator {
  private final ScoringPolicy policy;
  private final long retentionMs;

  /**
   * @param retention a record untouched for this long counts as gone, whether or not Redis has expired it yet,
   *     so every instance and the filter agree on the same instant
   */
  public ReputationCalculator(ScoringPolicy policy, Duration retention) {
    this.policy = policy;
    this.retentionMs = retention.toMillis();
  }

  public Reputation evaluate(String number, Map<String, String> fields, long nowMs) {
    return evaluate(number, fields, null, nowMs);
  }

  /**
   * @param prefixOverride the record of the longest operator prefix override covering the number, or null; the
   *     number's own override beats it, and it beats the crowd
   */
  public Reputation evaluate(String number, Map<String, String> fields, Map<String, String> prefixOverride,
      long nowMs) {
    String override = fields == null ? null : fields.get(NumberRecord.OVERRIDE);
    if (override == null && prefixOverride != null) {
      override = prefixOverride.get(NumberRecord.OVERRIDE);
      if (fields == null || fields.isEmpty()) {
        fields = Map.of(NumberRecord.OVERRIDE, override);
      } else {
        fields = new java.util.HashMap<>(fields);
        fields.put(NumberRecord.OVERRIDE, override);
      }
    }
    if (fields == null || fields.isEmpty()) {
      return Reputation.unreported(number);
    }
    if (override == null && nowMs - NumberRecord.integer(fields, NumberRecord.REFERENCE_TIME) > retentionMs) {
      return Reputation.unreported(number);
    }
    if (override != null && nowMs - NumberRecord.integer(fields, NumberRecord.REFERENCE_TIME) > retentionMs) {
      // Crowd evidence aged out; the override stands alone.
      return new Reputation(number, Verdict.valueOf(override), 0.0, 0, 0, 0, Map.of(),
          List.of(Reasons.OPERATOR_OVERRIDE), null, null, false);
    }
    double factor = decay(fields, nowMs);
    double negative = NumberRecord.decimal(fields, NumberRecord.NEGATIVE_MASS) * factor;
    double legitimate = NumberRecord.decimal(fields, NumberRecord.LEGITIMATE_MASS) * factor;
    long negativeReporters = NumberRecord.integer(fields, NumberRecord.NEGATIVE_REPORTERS);
    long networks = NumberRecord.integer(fields, NumberRecord.NEGATIVE_NETWORKS);
    double score = score(negative, legitimate);

    List<String> reasons = new ArrayList<>(2);
    Verdict verdict;
    if (score >= policy.blockScore() && negativeReporters >= policy.blockMinReporters()
        && networks >= policy.blockMinNetworks()) {
      verdict = Verdict.BLOCK;
      reasons.add(Reasons.CROWD_REPORTS);
    } else if (score >= policy.warnScore()) {
      verdict = Verdict.WARN;
      reasons.add(Reasons.CROWD_REPORTS);
      if (score >= policy.blockScore()) {
        reasons.add(Reasons.QUORUM_NOT_MET);
      }
    } else {
      verdict = Verdict.ALLOW;
    }
    if (legitimate > 0) {
      reasons.add(Reasons.COUNTER_VOTES);
    }
    if (override != null) {
      verdict = Verdict.valueOf(override);
      reasons.add(0, Reasons.OPERATOR_OVERRIDE);
    }

    Map<String, Long> categories = new TreeMap<>();
    fields.forEach((k, v) -> {
      if (k.startsWith(NumberRecord.CATEGORY_PREFIX)) {
        long count = Long.parseLong(v);
        if (count > 0) {
          categories.put(k.substring(NumberRecord.CATEGORY_PREFIX.length()), count);
        }
      }
    });
    return new Reputation(number, verdict, Math.round(score * 1000) / 1000.0,
        NumberRecord.integer(fields, NumberRecord.REPORTS), negativeReporters, networks, categories,
        List.copyOf(reasons), instant(fields, NumberRecord.FIRST), instant(fields, NumberRecord.LAST), false);
  }

  double score(double negative, double legitimate) {
    double denominator = negative + policy.legitimateWeight() * legitimate + policy.prior();
    return negative <= 0 ? 0.0 : Math.min(1.0, negative / denominator);
  }

  private double decay(Map<String, String> fields, long nowMs) {
    long ref = NumberRecord.integer(fields, NumberRecord.REFERENCE_TIME);
    if (nowMs <= ref) {
      return 1.0;
    }
    return Math.pow(2, -(double) (nowMs - ref) / policy.halfLife().toMillis());
  }

  private static Instant instant(Map<String, String> fields, String field) {
    String v = fields.get(field);
    return v == null ? null : Instant.ofEpochMilli(Long.parseLong(v));
  }
}
