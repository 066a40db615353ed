package org.dunblock.server.report;

import java.util.Map;

/**
 * What the store did with a report. {@code replayed} means the Idempotency-Key was seen before and this is the
 * stored answer; {@code fingerprint} is the stored request fingerprint, to refuse a key reused for another request.
 * For a newly stored reported call, report.lua also kept the number's abuse-pattern windows: {@code record} is the
 * number's record after both, or null when the windows were not kept (a replay, an import) or failed
 * ({@code windowsFailure} then says why; the report is stored all the same).
 */
public record ReportOutcome(String reportId, boolean counted, boolean replayed, String fingerprint,
    Map<String, String> record, String windowsFailure) {

  /** What the store answers when its mode refused to write (ReportStore.Mode): nothing was stored. */
  static final ReportOutcome LIMITED = new ReportOutcome(null, false, false, null);

  /** Whether the store refused to write (a replay-only call without a stored answer, a new vote on a spent budget). */
  public boolean limited() {
    return reportId == null;
  }

  /** An outcome without pattern windows (a replay, an import). */
  public ReportOutcome(String reportId, boolean counted, boolean replayed, String fingerprint) {
    this(reportId, counted, replayed, fingerprint, null, null);
  }
}
