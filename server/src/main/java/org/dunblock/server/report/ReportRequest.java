package org.dunblock.server.report;

import org.dunblock.server.reputation.CallerVerification;
import org.dunblock.server.reputation.Category;

/**
 * A report as the API read it: the number in E.164, the vote, who sent it as keyed hashes (never the token or the
 * address) with the token's mint time ({@code ReporterTokens.NO_MINT_TIME} for an old-format token), the call's
 * time checked against the server's clock, and the fields as the reporter wrote them (they
 * make the request's fingerprint, which tells a retry from another report under the same Idempotency-Key).
 */
public record ReportRequest(
    String number,
    Category category,
    String reporterHash,
    long mintedAtMs,
    String networkHash,
    long occurredAtMs,
    long nowMs,
    String rawOccurredAt,
    String rawPlatform,
    String note,
    String rawCallerVerification,
    CallerVerification callerVerification,
    String idempotencyKey) {
}
