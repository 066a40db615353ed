package org.dunblock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ZipfTest {
  private static final int N = 50_000;
  private static final int DRAWS = 400_000;

  @Test
  void ranksFollowTheirWeights() {
    Zipf zipf = new Zipf(N, 1.1);
    SplittableRandom random = new SplittableRandom(42);
    int[] counts = new int[N];
    for (int i = 0; i < DRAWS; i++) {
      int rank = zipf.next(random);
      assertTrue(rank >= 0 && rank < N, "rank " + rank);
      counts[rank]++;
    }
    // Rank 0 against rank 1: weights 1 and 2^-1.1, so 2^1.1 = 2.14 times as often.
    assertEquals(Math.pow(2, 1.1), (double) counts[0] / counts[1], 0.1);
    // Rank 0 against its own probability, 1 / sum over k of k^-1.1 (computed here, not by Zipf).
    double harmonic = 0;
    for (int k = 1; k <= N; k++) {
      harmonic += Math.pow(k, -1.1);
    }
    assertEquals(1 / harmonic, (double) counts[0] / DRAWS, 0.005);
    // The hot head: the first 1 % of the numbers take more than half the lookups.
    int head = 0;
    for (int k = 0; k < N / 100; k++) {
      head += counts[k];
    }
    assertTrue(head > DRAWS / 2, "head " + head);
    assertEquals(zipf.cumulative(N / 100 - 1), (double) head / DRAWS, 0.005);
  }

  @Test
  void oneRankIsAlwaysRankZero() {
    Zipf zipf = new Zipf(1, 1.1);
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1000; i++) {
      assertEquals(0, zipf.next(random));
    }
  }
}
