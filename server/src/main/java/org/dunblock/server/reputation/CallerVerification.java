package org.dunblock.server.reputation;

import java.util.Arrays;
import java.util.Optional;
import org.dunblock.server.config.ScoringPolicy;

/**
 * How the phone network verified the caller's number, as Android's {@code Call.Details#getCallerNumberVerificationStatus}
 * gives it (API 30+, STIR/SHAKEN and similar). A report of a call whose number FAILED verification weighs less: the
 * number shown was probably spoofed, and blocking it hurts its real owner. Absent (older phones, iOS) counts as
 * NOT_VERIFIED.
 */
public enum CallerVerification {
  PASSED,
  FAILED,
  NOT_VERIFIED;

  /** What this verification makes of a vote's weight. */
  public double weight(ScoringPolicy policy) {
    return this == FAILED ? policy.failedVerificationWeight() : 1.0;
  }

  /** The verification a report names; absent is NOT_VERIFIED, anything unknown is empty. */
  public static Optional<CallerVerification> parse(String text) {
    if (text == null) {
      return Optional.of(NOT_VERIFIED);
    }
    return Arrays.stream(values()).filter(v -> v.name().equals(text)).findFirst();
  }
}
