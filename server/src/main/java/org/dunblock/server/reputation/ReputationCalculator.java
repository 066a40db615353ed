package org.dunblock.server.reputation;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dunblock.server.config.PatternPolicy;
import org.dunblock.server.config.ScoringPolicy;
import org.dunblock.server.store.NumberRecord;

/**
 * Evaluates a number's stored record at a point in time. The record keeps decayed vote masses referred to a
 * timestamp ({@code ref}), so the answer changes as evidence ages without rewriting Redis.
 */
public final class ReputationCalculator {
  private final ScoringPolicy policy;
  private final PatternPolicy patterns;
  private final long retentionMs;
  private final NumberProtection protection;

  /**
   * @param retention a record untouched for this long counts as gone, whether or not Redis has expired it yet,
   *     so every instance and the filter agree on the same instant
   */
  public ReputationCalculator(ScoringPolicy policy, Duration retention) {
    this(policy, PatternPolicy.defaults(), retention);
  }

  public ReputationCalculator(ScoringPolicy policy, PatternPolicy patterns, Duration retention) {
    this(policy, patterns, retention, NumberProtection.NONE);
  }

  /** @param protection caps the verdicts of protected numbers (DESIGN.md rule 9) */
  public ReputationCalculator(ScoringPolicy policy, PatternPolicy patterns, Duration retention,
      NumberProtection protection) {
    this.policy = policy;
    this.patterns = patterns;
    this.retentionMs = retention.toMillis();
    this.protection = protection;
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
    return evaluate(number, fields, prefixOverride, null, nowMs);
  }

  /**
   * @param range the record of the number's block of 100 (BLOCKed members -&gt; until when), or null when the
   *     filter says the block has no range
   */
  public Reputation evaluate(String number, Map<String, String> fields, Map<String, String> prefixOverride,
      Map<String, String> range, long nowMs) {
    // Protected numbers (DESIGN.md rule 9): a step of its own after the crowd and the patterns, see ProtectionKind.
    ProtectionKind kind = protection.kind(number);
    Map<String, String> prefix = kind == null || kind.prefixOverrideApplies() ? prefixOverride : null;
    Reputation found = patterns(crowd(number, fields, prefix, nowMs), fields, range, nowMs);
    boolean overridden = fields != null && fields.containsKey(NumberRecord.OVERRIDE)
        || prefix != null && prefix.containsKey(NumberRecord.OVERRIDE);
    return kind == null ? found : kind.cap(found, overridden);
  }

  /** The number's protection, or null (for evidence packs and the dashboard). */
  public ProtectionKind protection(String number) {
    return protection.kind(number);
  }

  /**
   * What the crowd and the number's own patterns make of the record without protection and without operator
   * overrides: the review signal evidence packs and the dashboard show for protected numbers.
   */
  public Reputation crowdOnly(String number, Map<String, String> fields, long nowMs) {
    Map<String, String> crowd = new java.util.HashMap<>(fields == null ? Map.of() : fields);
    crowd.keySet().removeIf(k -> k.startsWith(NumberRecord.OVERRIDE));
    return patterns(crowd(number, crowd, null, nowMs), crowd, null, nowMs);
  }

  private Reputation crowd(String number, Map<String, String> fields, Map<String, String> prefixOverride,
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
    // DESIGN.md rule 4: the quorum counts by weight (fresh tokens count a fraction), beside the plain counts.
    boolean quorum = policy.quorumMet(negativeReporters, networks, NumberRecord.weightedNegativeReporters(fields),
        NumberRecord.weightedNegativeNetworks(fields));
    // Counter-votes pull the score down (rule 5), but a BLOCK falls only to counter-votes that meet the same weighted
    // network quorum a block needs: cheap sources cannot bury a number any more than they can block one.
    boolean counterQuorum = NumberRecord.weightedLegitimateNetworks(fields) + ScoringPolicy.QUORUM_EPSILON
        >= policy.blockMinNetworks();
    double blockingScore = counterQuorum ? score : score(negative, 0);

    List<String> reasons = new ArrayList<>(2);
    Verdict verdict;
    if (quorum && blockingScore >= policy.blockScore()) {
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
        List.copyOf(reasons), instant(fields, NumberRecord.FIRST), instant(fields, NumberRecord.LAST), false,
        platforms(fields));
  }

  /** The most named platforms among the current votes: by count, then name, at most {@link Reputation#TOP_PLATFORMS}. */
  static List<Reputation.Platform> platforms(Map<String, String> fields) {
    List<Reputation.Platform> named = new ArrayList<>();
    fields.forEach((k, v) -> {
      if (k.startsWith(NumberRecord.PLATFORM_PREFIX)) {
        long count = Long.parseLong(v);
        if (count > 0) {
          named.add(new Reputation.Platform(k.substring(NumberRecord.PLATFORM_PREFIX.length()), count));
        }
      }
    });
    named.sort(java.util.Comparator.comparingLong(Reputation.Platform::count).reversed()
        .thenComparing(Reputation.Platform::name));
    return named.size() > Reputation.TOP_PLATFORMS ? List.copyOf(named.subList(0, Reputation.TOP_PLATFORMS)) : named;
  }

  /**
   * Abuse patterns (README, "How scoring works"): each adds its reason while it holds and raises ALLOW to WARN,
   * never further (BLOCK stays with the quorum), and never past an operator override.
   */
  private Reputation patterns(Reputation crowd, Map<String, String> fields, Map<String, String> range, long nowMs) {
    List<String> found = new ArrayList<>(0);
    if (fields != null && !fields.isEmpty()) {
      if (NumberRecord.integer(fields, NumberRecord.FAN_OUT_UNTIL) > nowMs) {
        found.add(Reasons.ADDRESS_BOOK_EXPLOSION);
      }
      if (NumberRecord.integer(fields, NumberRecord.BOMBING_UNTIL) > nowMs) {
        found.add(Reasons.CALL_BOMBING);
      }
    }
    if (range != null && blockedNeighbours(crowd.number(), range, nowMs) >= patterns.rangeMinBlocked()) {
      found.add(Reasons.RANGE);
    }
    if (found.isEmpty()) {
      return crowd;
    }
    List<String> reasons = new ArrayList<>(crowd.reasons());
    reasons.addAll(found);
    Verdict verdict = crowd.verdict() == Verdict.ALLOW && !crowd.reasons().contains(Reasons.OPERATOR_OVERRIDE)
        ? Verdict.WARN : crowd.verdict();
    return new Reputation(crowd.number(), verdict, crowd.score(), crowd.reports(), crowd.reporters(),
        crowd.networks(), crowd.categories(), List.copyOf(reasons), crowd.firstReported(), crowd.lastReported(),
        crowd.degraded(), crowd.platforms());
  }

  /** Other numbers of the block that are BLOCK now: each member's record says until when it stays BLOCK. */
  static long blockedNeighbours(String number, Map<String, String> range, long nowMs) {
    long count = 0;
    for (Map.Entry<String, String> member : range.entrySet()) {
      if (!member.getKey().equals(number) && Long.parseLong(member.getValue()) > nowMs) {
        count++;
      }
    }
    return count;
  }

  /**
   * Until when the record stays BLOCK if nothing is written to it (scores only decay between writes), to the
   * minute; 0 when it is not BLOCK now. At most the retention ahead: a block's member is refreshed by its reports.
   */
  public long blockedUntil(String number, Map<String, String> fields, long nowMs) {
    if (crowd(number, fields, null, nowMs).verdict() != Verdict.BLOCK) {
      return 0;
    }
    long low = nowMs;
    long high = nowMs + retentionMs;
    if (crowd(number, fields, null, high).verdict() == Verdict.BLOCK) {
      return high;
    }
    while (high - low > 60_000) {
      long mid = low + (high - low) / 2;
      if (crowd(number, fields, null, mid).verdict() == Verdict.BLOCK) {
        low = mid;
      } else {
        high = mid;
      }
    }
    return low;
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
