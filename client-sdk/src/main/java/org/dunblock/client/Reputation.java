package org.dunblock.client;

import com.google.common.collect.ImmutableList;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The server's answer about one number: verdict, score and the evidence behind it. Immutable. */
public final class Reputation {
  private final String number;
  private final Verdict verdict;
  private final double score;
  private final long reports;
  private final long reporters;
  private final Map<String, Long> categories;
  private final List<String> reasons;
  private final Instant firstReported;
  private final Instant lastReported;
  private final boolean degraded;

  public Reputation(String number, Verdict verdict, double score, long reports, long reporters,
      Map<String, Long> categories, List<String> reasons, Instant firstReported, Instant lastReported,
      boolean degraded) {
    this.number = Objects.requireNonNull(number, "number");
    this.verdict = Objects.requireNonNull(verdict, "verdict");
    this.score = score;
    this.reports = reports;
    this.reporters = reporters;
    this.categories = Collections.unmodifiableMap(new LinkedHashMap<>(categories));
    this.reasons = ImmutableList.copyOf(reasons);
    this.firstReported = firstReported;
    this.lastReported = lastReported;
    this.degraded = degraded;
  }

  /** The number in E.164 form. */
  public String number() {
    return number;
  }

  public Verdict verdict() {
    return verdict;
  }

  /** In [0, 1]; higher is worse. */
  public double score() {
    return score;
  }

  public long reports() {
    return reports;
  }

  public long reporters() {
    return reporters;
  }

  /** Report count per category name. */
  public Map<String, Long> categories() {
    return categories;
  }

  /** Codes explaining the verdict, e.g. CROWD_REPORTS, OPERATOR_OVERRIDE, DEGRADED. */
  public List<String> reasons() {
    return reasons;
  }

  public Instant firstReported() {
    return firstReported;
  }

  public Instant lastReported() {
    return lastReported;
  }

  /** True when the server could not ask its store in time and answered ALLOW to fail open. */
  public boolean degraded() {
    return degraded;
  }

  @Override
  public String toString() {
    return "Reputation{" + number + " " + verdict + " score=" + score + " reports=" + reports + " reasons=" + reasons
        + (degraded ? " degraded" : "") + "}";
  }
}
