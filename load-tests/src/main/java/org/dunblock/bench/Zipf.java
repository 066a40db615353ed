package org.dunblock.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Ranks 0 .. n-1 drawn with a Zipf distribution: rank k (from 0) with probability proportional to
 * {@code 1 / (k + 1)^s}. The shape of an address-book explosion: a few collector numbers ring thousands of phones,
 * most ring a few. By inverse transform over the cumulative distribution (n doubles, a binary search per draw); the
 * wrk script {@code lookup-zipf.lua} builds the same table.
 */
public final class Zipf {
  private final double[] cumulative;

  public Zipf(int n, double s) {
    if (n < 1 || !(s > 0)) {
      throw new IllegalArgumentException("n >= 1 and s > 0");
    }
    cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += Math.pow(k + 1, -s);
      cumulative[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
    cumulative[n - 1] = 1.0;
  }

  /** The probability of ranks 0 .. k together. */
  public double cumulative(int k) {
    return cumulative[k];
  }

  public int next(SplittableRandom random) {
    int at = Arrays.binarySearch(cumulative, random.nextDouble());
    // Not found: -(insertion point) - 1, the first rank whose cumulative probability exceeds the draw.
    return Math.min(cumulative.length - 1, at >= 0 ? at + 1 : -at - 1);
  }
}
