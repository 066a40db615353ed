package org.dunblock.bench;

import java.util.concurrent.TimeUnit;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Turning numbers as people write them into E.164, once per lookup: the server's normaliser (E.164 fast path, then
 * libphonenumber) side by side with libphonenumber's full parse for every input, as before the fast path.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class NormalizerBenchmark {
  @Param({"+8613800138000", "138-0013-8000", "008613800138000", "95588"})
  public String written;

  final PhoneNumberNormalizer normalizer = new PhoneNumberNormalizer("CN");
  final PhoneNumberNormalizer libphonenumberOnly = PhoneNumberNormalizer.withoutFastPath("CN");

  @Benchmark
  public String normalize() {
    return normalizer.normalize(written, "CN");
  }

  @Benchmark
  public String normalizeWithoutFastPath() {
    return libphonenumberOnly.normalize(written, "CN");
  }
}
