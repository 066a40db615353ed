package org.dunblock.client;

/** Hears what happens to reports delivered from the offline queue. Called on the SDK's background thread. */
public interface ReportListener {
  /** A queued report reached the server. */
  default void delivered(ReportReceipt receipt) {
  }

  /** The server refused a queued report for good (e.g. report_too_old); it was removed from the queue. */
  default void rejected(String idempotencyKey, DunblockException reason) {
  }
}
