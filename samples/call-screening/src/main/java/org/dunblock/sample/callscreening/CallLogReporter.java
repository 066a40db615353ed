package org.dunblock.sample.callscreening;

import android.content.ContentResolver;
import android.content.ContentUris;
import android.database.Cursor;
import android.provider.CallLog;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.dunblock.client.Category;
import org.dunblock.client.DunblockClient;
import org.dunblock.client.Report;
import org.dunblock.client.ReportReceipt;

/**
 * Reporting from the call log: the user picks a call in the app's call list and a category ("debt collector",
 * "harassing my contacts"...). Needs the {@code READ_CALL_LOG} permission.
 *
 * <p>The report carries the time of the call (the call log's {@code DATE}), not the time the user pressed the
 * button: the server weighs votes by the call's age. The SDK writes the report to its durable outbox before
 * sending it, so a report made offline is delivered later (same idempotency key, counted once).
 */
public final class CallLogReporter {
  static final String[] COLUMNS = {CallLog.Calls.NUMBER, CallLog.Calls.DATE};

  private CallLogReporter() {
  }

  /** The report for the call-log row the cursor is on (columns {@link CallLog.Calls#NUMBER} and DATE). */
  public static Report fromCallLog(Cursor row, Category category) {
    String number = row.getString(row.getColumnIndexOrThrow(CallLog.Calls.NUMBER));
    long date = row.getLong(row.getColumnIndexOrThrow(CallLog.Calls.DATE));
    if (number == null || number.trim().isEmpty()) {
      throw new IllegalArgumentException("a call with a withheld number cannot be reported");
    }
    return Report.builder(number, category).occurredAt(Instant.ofEpochMilli(date)).build();
  }

  /** Reads call {@code callId} from the call log and reports it. Off the main thread. */
  public static CompletableFuture<ReportReceipt> report(ContentResolver resolver, DunblockClient client,
      long callId, Category category) {
    try (Cursor c = resolver.query(ContentUris.withAppendedId(CallLog.Calls.CONTENT_URI, callId), COLUMNS, null,
        null, null)) {
      if (c == null || !c.moveToFirst()) {
        throw new IllegalArgumentException("no call " + callId + " in the call log");
      }
      return report(client, c, category);
    }
  }

  /**
   * Sends the report for the cursor's row. The receipt is {@code queued()} when the server could not be reached:
   * the SDK delivers it later by itself (and {@link FilterSyncJobService} flushes the queue).
   */
  public static CompletableFuture<ReportReceipt> report(DunblockClient client, Cursor row, Category category) {
    return client.reportAsync(fromCallLog(row, category));
  }
}
