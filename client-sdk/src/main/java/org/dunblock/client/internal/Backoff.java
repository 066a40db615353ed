package org.dunblock.client.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential back-off with full jitter between a base and a maximum delay. */
public final class Backoff {
  private final Duration base;
  private final Duration max;

  public Backoff(Duration base, Duration max) {
    this.base = base;
    this.max = max;
  }

  /** The delay before retry number {@code attempt} (0-based): random in [d/2, d], d = min(max, base x 2^attempt). */
  public Duration delay(int attempt) {
    long ceiling = base.toMillis() << Math.min(attempt, 20);
    long d = Math.min(max.toMillis(), ceiling <= 0 ? max.toMillis() : ceiling);
    return Duration.ofMillis(d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1));
  }
}
