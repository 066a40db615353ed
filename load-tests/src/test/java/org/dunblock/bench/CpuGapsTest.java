package org.dunblock.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** CpuGaps sees time taken from it, and tells a stop its own scheduler caused from time that simply vanished. */
class CpuGapsTest {
  @Test
  void aStopOfTheWorldIsAGapTheGuestSaw() throws Exception {
    CountDownLatch spinning = new CountDownLatch(1);
    CompletableFuture<CpuGaps.Gaps> probe = CompletableFuture.supplyAsync(() -> {
      spinning.countDown();
      return CpuGaps.spin(TimeUnit.SECONDS.toNanos(2), TimeUnit.MICROSECONDS.toNanos(50));
    });
    assertTrue(spinning.await(10, TimeUnit.SECONDS));
    // A full collection stops every Java thread at a safepoint: the spinning one blocks there, a context switch
    // its scheduler counts, for as long as the collection takes.
    System.gc();
    CpuGaps.Gaps gaps = probe.get(30, TimeUnit.SECONDS);
    assertTrue(gaps.lostNs > 0, "the collection's stop was seen as a gap");
    assertTrue(gaps.lostNs - gaps.hostLostNs > 0, "and as one the guest's scheduler caused");
    String line = gaps.line(2);
    assertTrue(line.matches("RESULT seconds=2 lost_ms=[0-9.]+ host_lost_ms=[0-9.]+ gaps_1ms=\\d+ gaps_5ms=\\d+ "
        + "gaps_10ms=\\d+ host_gaps_5ms=\\d+ max_ms=[0-9.]+ host_max_ms=[0-9.]+"), line);
  }
}
