package org.dunblock.client;

/**
 * What became of a report: delivered (with the server's report id), or queued durably in the cache dir because
 * the server could not be reached; queued reports are delivered later with the same Idempotency-Key.
 */
public final class ReportReceipt {
  private final String idempotencyKey;
  private final String reportId;
  private final String number;
  private final boolean counted;
  private final boolean queued;

  ReportReceipt(String idempotencyKey, String reportId, String number, boolean counted, boolean queued) {
    this.idempotencyKey = idempotencyKey;
    this.reportId = reportId;
    this.number = number;
    this.counted = counted;
    this.queued = queued;
  }

  /** The key sent on every delivery attempt of this report. */
  public String idempotencyKey() {
    return idempotencyKey;
  }

  /** The server's id, or null while queued. */
  public String reportId() {
    return reportId;
  }

  /** The E.164 number as the server saw it, or the input while queued. */
  public String number() {
    return number;
  }

  /** True when this was the reporter's first report on the number. */
  public boolean counted() {
    return counted;
  }

  /** True when the report waits in the offline queue. */
  public boolean queued() {
    return queued;
  }

  @Override
  public String toString() {
    return queued ? "ReportReceipt{queued " + idempotencyKey + "}"
        : "ReportReceipt{" + reportId + " " + number + (counted ? " counted" : " updated") + "}";
  }
}
