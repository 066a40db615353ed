package org.dunblock.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How much of one CPU the machine takes away from a thread that only wants to run: the noise floor under every
 * latency figure bench.sh measures. Run it pinned to one CPU ({@code taskset -c N}); it spins on the clock for the
 * given seconds and records every gap in its own running of at least {@code threshold_us}.
 *
 * <p>Each gap is told apart by whether the guest's own scheduler switched the thread out meanwhile (its voluntary or
 * involuntary context switches in {@code /proc/thread-self/status} moved): a <em>guest</em> gap is another thread or
 * process of this machine, or a kernel thread, on the CPU; a <em>host</em> gap is time that vanished while the guest
 * believed the thread was running. On a virtual machine that is the hypervisor running something else on the
 * physical CPU (or an interrupt handler that ran that long). The guest's steal time does not always show it: on the
 * development machine {@code /proc/stat} reports no steal at all.
 *
 * <pre>
 *   taskset -c 0 java -XX:TieredStopAtLevel=1 -cp load-tests/target/benchmarks.jar org.dunblock.bench.CpuGaps \
 *       seconds=5 [warmup=2] [threshold_us=500]
 * </pre>
 * Prints one line: {@code RESULT seconds=.. lost_ms=.. host_lost_ms=.. gaps_1ms=.. gaps_5ms=.. gaps_10ms=..
 * host_gaps_5ms=.. max_ms=.. host_max_ms=..} (lost: the gaps' sum; gaps_N: gaps of at least N ms).
 */
public final class CpuGaps {
  /** A gap this long is certainly not the loop itself: re-read the switch counts after it. */
  private static final long NOTICED_NS = TimeUnit.MICROSECONDS.toNanos(20);
  private static final Path STATUS = Path.of("/proc/thread-self/status");

  private CpuGaps() {
  }

  /** The gaps seen, by size and by whose they were. */
  static final class Gaps {
    long lostNs;
    long hostLostNs;
    int over1ms;
    int over5ms;
    int over10ms;
    int hostOver5ms;
    long maxNs;
    long hostMaxNs;

    void add(long gapNs, boolean host) {
      lostNs += gapNs;
      maxNs = Math.max(maxNs, gapNs);
      over1ms += gapNs >= 1_000_000 ? 1 : 0;
      over5ms += gapNs >= 5_000_000 ? 1 : 0;
      over10ms += gapNs >= 10_000_000 ? 1 : 0;
      if (host) {
        hostLostNs += gapNs;
        hostMaxNs = Math.max(hostMaxNs, gapNs);
        hostOver5ms += gapNs >= 5_000_000 ? 1 : 0;
      }
    }

    String line(int seconds) {
      return String.format(Locale.ROOT, "RESULT seconds=%d lost_ms=%.1f host_lost_ms=%.1f gaps_1ms=%d gaps_5ms=%d "
              + "gaps_10ms=%d host_gaps_5ms=%d max_ms=%.1f host_max_ms=%.1f", seconds, lostNs / 1e6,
          hostLostNs / 1e6, over1ms, over5ms, over10ms, hostOver5ms, maxNs / 1e6, hostMaxNs / 1e6);
    }
  }

  public static void main(String[] args) {
    int seconds = 5;
    int warmup = 2;
    long thresholdNs = TimeUnit.MICROSECONDS.toNanos(500);
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      switch (kv[0]) {
        case "seconds" -> seconds = Math.max(1, Math.min(600, Integer.parseInt(kv[1])));
        case "warmup" -> warmup = Math.max(0, Math.min(60, Integer.parseInt(kv[1])));
        case "threshold_us" -> thresholdNs = TimeUnit.MICROSECONDS.toNanos(Math.max(50, Long.parseLong(kv[1])));
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    // The probe's own JIT compiles during the warm-up, not in the gaps it reports.
    spin(TimeUnit.SECONDS.toNanos(warmup), thresholdNs);
    System.out.println(spin(TimeUnit.SECONDS.toNanos(seconds), thresholdNs).line(seconds));
  }

  static Gaps spin(long forNs, long thresholdNs) {
    Gaps gaps = new Gaps();
    long start = System.nanoTime();
    long end = start + forNs;
    long switches = switches();
    long prev = System.nanoTime();
    while (prev < end) {
      long now = System.nanoTime();
      long gap = now - prev;
      if (gap >= NOTICED_NS) {
        long seen = switches();
        if (gap >= thresholdNs) {
          gaps.add(gap, seen == switches);
        }
        switches = seen;
        // The read above is the probe's own time, not a gap.
        now = System.nanoTime();
      }
      prev = now;
    }
    return gaps;
  }

  /** The thread's voluntary plus involuntary context switches so far. */
  static long switches() {
    try {
      long total = 0;
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
          total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
