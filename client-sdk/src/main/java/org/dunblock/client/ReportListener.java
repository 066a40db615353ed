package org.dunblock.client;

/** Hears what happens to reports delivered from the offline queue. Called on the SDK's background thread. */
public interface ReportListener {
  /** A queued report reached the server. */
  default void delivered(ReportReceipt receipt) {
  }

  /** The server refused a queued report for good (e.g. report_too_old); it was removed from the queue. */
  default void rejected(String idempotencyKey, DunblockException reason) {
  }

  /**
   * A queued report was removed without reaching the server: {@code superseded} (a newer report on the same number
   * replaced it; the newer one carries the user's vote) or {@code queue_full} (the queue was at its bound and
   * this was its oldest report). Called on the thread that made the newer report.
   */
  default void dropped(String idempotencyKey, String reason) {
  }
}
