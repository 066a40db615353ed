package org.dunblock.server.report;

import org.dunblock.server.reputation.Category;

/**
 * One validated report, ready for the store. Reporter and network are already keyed hashes; the raw token and
 * address never reach Redis. {@code weight} scales the vote (1 for crowd reports; a bulk-import source's weight
 * otherwise); {@code reportedCall} is false for imported entries, which stay out of the number's call log.
 * {@code quorumWeight} is what the vote counts in the weighted BLOCK quorum (the reporter's maturity times the
 * call's caller verification, at most 1; DESIGN.md rule 4). {@code seasoned} says the reporter was past its first
 * day when it cast the vote: only such votes can earn credit from an operator's decision (docs/trust.md).
 */
public record ReportCommand(
    String number,
    String reporterHash,
    String networkHash,
    Category category,
    long occurredAtMs,
    long nowMs,
    String platform,
    String note,
    String reportId,
    String idempotencyKeyHash,
    String fingerprint,
    double weight,
    boolean reportedCall,
    double quorumWeight,
    boolean seasoned) {

  /** A report whose vote counts {@code min(1, weight)} in the quorum (an import source's vote, say). */
  public ReportCommand(String number, String reporterHash, String networkHash, Category category, long occurredAtMs,
      long nowMs, String platform, String note, String reportId, String idempotencyKeyHash, String fingerprint,
      double weight, boolean reportedCall) {
    this(number, reporterHash, networkHash, category, occurredAtMs, nowMs, platform, note, reportId,
        idempotencyKeyHash, fingerprint, weight, reportedCall, Math.min(1.0, weight), false);
  }

  /** The same report with its vote weighing {@code w} (the reporter's trust), and as much in the quorum (at most 1). */
  public ReportCommand withWeight(double w) {
    return withWeights(w, Math.min(1.0, w));
  }

  /** The same report weighing {@code w} in the score and {@code quorum} in the weighted BLOCK quorum. */
  public ReportCommand withWeights(double w, double quorum) {
    return withWeights(w, quorum, seasoned);
  }

  /** The same report with its weights and whether its reporter was past its first day (see the class comment). */
  public ReportCommand withWeights(double w, double quorum, boolean seasonedReporter) {
    return new ReportCommand(number, reporterHash, networkHash, category, occurredAtMs, nowMs, platform, note, reportId,
        idempotencyKeyHash, fingerprint, w, reportedCall, quorum, seasonedReporter);
  }

  /** A crowd report: a reported call whose vote weighs 1. */
  public ReportCommand(String number, String reporterHash, String networkHash, Category category, long occurredAtMs,
      long nowMs, String platform, String note, String reportId, String idempotencyKeyHash, String fingerprint) {
    this(number, reporterHash, networkHash, category, occurredAtMs, nowMs, platform, note, reportId,
        idempotencyKeyHash, fingerprint, 1.0, true);
  }
}
