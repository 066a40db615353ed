package org.dunblock.server.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting on a condition with a bounded deadline; never a fixed sleep standing in for synchronisation. */
public final class Conditions {
  private static final long POLL_NANOS = Duration.ofMillis(5).toNanos();

  private Conditions() {
  }

  public static void waitUntil(String what, Duration limit, BooleanSupplier condition) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + limit.toMillis() + " ms: " + what);
      }
      LockSupport.parkNanos(POLL_NANOS);
    }
  }

  public static void waitReady(Api api) {
    waitUntil("server ready", Duration.ofSeconds(15), () -> api.get("/ready").statusCode() == 200);
  }
}
