package org.dunblock.sample.callscreening;

import java.util.function.BooleanSupplier;

/** Polls a condition (never a fixed sleep as synchronisation). */
final class Polling {
  private Polling() {
  }

  static void waitUntil(String what, long timeoutMillis, BooleanSupplier condition) {
    long end = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
