package org.dunblock.server.store;

/**
 * What the store did with a report. {@code replayed} means the Idempotency-Key was seen before and this is the
 * stored answer; {@code fingerprint} is the stored request fingerprint, to refuse a key reused for another request.
 */
public record ReportOutcome(String reportId, boolean counted, boolean replayed, String fingerprint) {
}
