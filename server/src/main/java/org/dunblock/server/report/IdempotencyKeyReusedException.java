package org.dunblock.server.report;

/** The Idempotency-Key of a report was already used by this reporter for a different report of the number. */
public final class IdempotencyKeyReusedException extends RuntimeException {
  IdempotencyKeyReusedException() {
    super("This Idempotency-Key was already used for a different report.", null, false, false);
  }
}
