package org.dunblock.server.store;

/** A limit kept in Redis is spent for now; {@link #retryAfterMs()} says when its window ends. */
public final class RateLimitedException extends RuntimeException {
  private final long retryAfterMs;

  /** @param what what was refused, for a person ("Too many reports for now") */
  public RateLimitedException(String what, long retryAfterMs) {
    super(what, null, false, false);
    this.retryAfterMs = retryAfterMs;
  }

  public long retryAfterMs() {
    return retryAfterMs;
  }

  /** The wait in whole seconds, rounded up, at least one (what a Retry-After header says). */
  public long retryAfterSeconds() {
    return Math.max(1, (retryAfterMs + 999) / 1000);
  }
}
