package org.dunblock.server.store;

import org.dunblock.server.reputation.Category;

/**
 * One validated report, ready for the store. Reporter and network are already keyed hashes; the raw token and
 * address never reach Redis.
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
    String fingerprint) {
}
