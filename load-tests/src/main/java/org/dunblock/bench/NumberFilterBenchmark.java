package org.dunblock.bench;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.filter.NumberFilter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server's fast path: {@link NumberFilter#mightContain} and the prefix probe on a filter holding 10 million
 * listed numbers at the default size (10 million, 0.1 %).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
public class NumberFilterBenchmark {
  static final int LISTED = 10_000_000;

  NumberFilter filter;
  String[] listed;
  String[] unlisted;

  @Setup(Level.Trial)
  public void fill() {
    filter = new NumberFilter(10_000_000, 0.001);
    // Listed: +86 139 followed by 8 digits from 0 to LISTED; unlisted: +86 158 ... never added.
    for (int i = 0; i < LISTED; i++) {
      filter.add(number("+86139", i));
    }
    filter.markLoaded();
    listed = new String[4096];
    unlisted = new String[4096];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < listed.length; i++) {
      listed[i] = number("+86139", random.nextInt(LISTED));
      unlisted[i] = number("+86158", random.nextInt(100_000_000));
    }
  }

  static String number(String prefix, int i) {
    String digits = Integer.toString(i);
    return prefix + "00000000".substring(digits.length()) + digits;
  }

  int next;

  @Benchmark
  public boolean mightContainUnlisted() {
    return filter.mightContain(unlisted[next++ & 4095]);
  }

  @Benchmark
  public boolean mightContainListed() {
    return filter.mightContain(listed[next++ & 4095]);
  }

  /** What a lookup of an unreported number costs while no prefix override exists (the common case). */
  @Benchmark
  public int prefixProbeWithoutPrefixOverrides() {
    return filter.prefixHits(unlisted[next++ & 4095]).size();
  }
}
