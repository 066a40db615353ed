package org.dunblock.server.report;

import org.dunblock.server.reputation.Category;

/**
 * One validated report, ready for the store. Reporter and network are already keyed hashes; the raw token and
 * address never reach Redis. {@code weight} scales the vote (1 for crowd reports; a bulk-import source's weight
 * otherwise); {@code reportedCall} is false for imported entries, which stay out of the number's call log.
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
    boolean reportedCall) {

  /** The same report with its vote weighing {@code w} (the reporter's trust). */
  public ReportCommand withWeight(double w) {
    return new ReportCommand(number, reporterHash, networkHash, category, occurredAtMs, nowMs, platform, note, reportId,
        idempotencyKeyHash, fingerprint, w, reportedCall);
  }

  /** A crowd report: a reported call whose vote weighs 1. */
  public ReportCommand(String number, String reporterHash, String networkHash, Category category, long occurredAtMs,
      long nowMs, String platform, String note, String reportId, String idempotencyKeyHash, String fingerprint) {
    this(number, reporterHash, networkHash, category, occurredAtMs, nowMs, platform, note, reportId,
        idempotencyKeyHash, fingerprint, 1.0, true);
  }
}
