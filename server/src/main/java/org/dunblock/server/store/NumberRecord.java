package org.dunblock.server.store;

import java.util.Map;

/** Field names of the {@code dunblock:{sNN}:num:<e164>} hash, shared by report.lua and the calculator. */
public final class NumberRecord {
  /** Negative vote mass, decayed to {@link #REFERENCE_TIME}. */
  public static final String NEGATIVE_MASS = "neg";
  /** LEGITIMATE vote mass, decayed to {@link #REFERENCE_TIME}. */
  public static final String LEGITIMATE_MASS = "leg";
  /** Epoch ms the masses are referred to. */
  public static final String REFERENCE_TIME = "ref";
  /** Counted reports: one per reporter, whatever category. */
  public static final String REPORTS = "reports";
  /** Reporters whose current vote is negative. */
  public static final String NEGATIVE_REPORTERS = "negr";
  /** Reporters whose current vote is LEGITIMATE. */
  public static final String LEGITIMATE_REPORTERS = "legr";
  /** Distinct networks with at least one negative vote. */
  public static final String NEGATIVE_NETWORKS = "negnets";
  public static final String FIRST = "first";
  public static final String LAST = "last";
  /** Operator override verdict (ALLOW or BLOCK); wins over the crowd and never ages out. */
  public static final String OVERRIDE = "ovr";
  public static final String OVERRIDE_REASON = "ovr_reason";
  public static final String OVERRIDE_AT = "ovr_at";
  public static final String OVERRIDE_BY = "ovr_by";
  /** Until when (epoch ms) the address-book explosion pattern holds without new reports; written by report.lua. */
  public static final String FAN_OUT_UNTIL = "fan_until";
  /** Until when (epoch ms) the call-bombing pattern holds without new reports; written by report.lua. */
  public static final String BOMBING_UNTIL = "bomb_until";
  /** Distinct networks with at least one LEGITIMATE vote. */
  public static final String LEGITIMATE_NETWORKS = "legnets";
  /**
   * Negative reporters counted by weight for the BLOCK quorum (DESIGN.md rule 4): the sum of their votes' quorum
   * weights (maturity x caller verification, each at most 1). Absent in records written before weights: every
   * reporter counted 1 then.
   */
  public static final String NEGATIVE_WEIGHTED_REPORTERS = "negq";
  /** Negative networks counted by weight: per network the average quorum weight of its negative votes, summed. */
  public static final String NEGATIVE_WEIGHTED_NETWORKS = "negnq";
  /** LEGITIMATE reporters counted by weight, as {@link #NEGATIVE_WEIGHTED_REPORTERS}. */
  public static final String LEGITIMATE_WEIGHTED_REPORTERS = "legq";
  /** LEGITIMATE networks counted by weight, as {@link #NEGATIVE_WEIGHTED_NETWORKS}. */
  public static final String LEGITIMATE_WEIGHTED_NETWORKS = "legnq";
  /** The crowd's settled outcome for reporter trust: absent, BLOCK, then ALLOW (final). */
  public static final String CROWD_OUTCOME = "tc";
  /**
   * When (epoch ms) an appeal about the number was first filed: votes cast since earn no credit from operator
   * decisions (ReporterTrust.decided). Set once by the appeal's filing, only on an existing record.
   */
  public static final String FIRST_APPEALED = "apl";
  /** The last operator decision reporter trust was moved for. */
  public static final String TRUST_JUDGED = "tj";
  /** Prefix of per-platform counts (normalised lending-platform names), e.g. {@code p:quickloan}. */
  public static final String PLATFORM_PREFIX = "p:";
  /** Prefix of per-category counts, e.g. {@code c:DEBT_COLLECTION}. */
  public static final String CATEGORY_PREFIX = "c:";

  private NumberRecord() {
  }

  public static double decimal(Map<String, String> fields, String name) {
    String v = fields.get(name);
    return v == null ? 0.0 : Math.max(0.0, Double.parseDouble(v));
  }

  public static double weightedNegativeReporters(Map<String, String> fields) {
    return weighted(fields, NEGATIVE_WEIGHTED_REPORTERS, NEGATIVE_REPORTERS);
  }

  public static double weightedNegativeNetworks(Map<String, String> fields) {
    return weighted(fields, NEGATIVE_WEIGHTED_NETWORKS, NEGATIVE_NETWORKS);
  }

  public static double weightedLegitimateNetworks(Map<String, String> fields) {
    return weighted(fields, LEGITIMATE_WEIGHTED_NETWORKS, LEGITIMATE_NETWORKS);
  }

  /** A weighted count, or for a record written before weights the plain count (every vote weighed 1 then). */
  private static double weighted(Map<String, String> fields, String weightedName, String countName) {
    return fields.containsKey(weightedName) ? decimal(fields, weightedName) : integer(fields, countName);
  }

  public static long integer(Map<String, String> fields, String name) {
    String v = fields.get(name);
    return v == null ? 0L : Long.parseLong(v);
  }
}
