package org.dunblock.server.lookup;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One minute's lookups of the clients that made only a few, counted without an entry per client: a count-min
 * sketch of four rows of counters. The estimate of a client's count is never below what was added for it, and is
 * above it only by what clients sharing all four of its counters added. Its memory is fixed when it is made (four
 * ints a column), and its few large arrays are never copied by young collections as a table of small objects would
 * be.
 *
 * <p>The hash is seeded per instance and unknown to clients, so nobody can choose addresses that share counters.
 * Safe for concurrent use; an estimate and the add that follows are not one atomic step, so two requests of one
 * client at the same instant may both be counted as light (see {@link LookupLimiter}).
 */
final class LightCounts {
  private static final int ROWS = 4;

  final long window;
  private final int columns;
  private final AtomicIntegerArray counts;
  private final HashFunction hash;

  /** {@code columns} a power of two. */
  LightCounts(long window, int columns, int seed) {
    if (Integer.bitCount(columns) != 1) {
      throw new IllegalArgumentException("columns must be a power of two: " + columns);
    }
    this.window = window;
    this.columns = columns;
    this.counts = new AtomicIntegerArray(ROWS * columns);
    this.hash = Hashing.murmur3_128(seed);
  }

  /** The power of two of columns at or above {@code columns}, within 1,024 and {@code maxColumns}. */
  static int columnsFor(int columns, int maxColumns) {
    int wanted = Math.max(1024, Math.min(columns, maxColumns));
    return Math.min(Integer.highestOneBit(wanted - 1) << 1, maxColumns);
  }

  /**
   * Adds {@code n} to {@code key}'s count if that keeps its estimate within {@code light}, and returns -1; otherwise
   * adds nothing and returns the estimate so far, at most {@code light}. That is never less than this client's own
   * count: a client stays light only while its estimate, which counts all its lookups, stays within {@code light}.
   */
  int addIfLight(String key, int n, int light) {
    int[] cells = cellsOf(key);
    int estimate = estimate(cells);
    if ((long) estimate + n > light) {
      return Math.min(estimate, light);
    }
    for (int cell : cells) {
      counts.getAndAdd(cell, n);
    }
    return -1;
  }

  /** The estimate for {@code key}. */
  int estimate(String key) {
    return estimate(cellsOf(key));
  }

  private int estimate(int[] cells) {
    int estimate = Integer.MAX_VALUE;
    for (int cell : cells) {
      estimate = Math.min(estimate, counts.get(cell));
    }
    return estimate;
  }

  /** The key's counter in each row: two halves of one 128-bit hash, combined (the second made odd). */
  private int[] cellsOf(String key) {
    byte[] bytes = hash.hashUnencodedChars(key).asBytes();
    long h1 = 0;
    long h2 = 0;
    for (int i = 0; i < 8; i++) {
      h1 = (h1 << 8) | (bytes[i] & 0xff);
      h2 = (h2 << 8) | (bytes[8 + i] & 0xff);
    }
    h2 |= 1;
    int[] cells = new int[ROWS];
    for (int row = 0; row < ROWS; row++) {
      cells[row] = row * columns + (int) ((h1 + row * h2) & (columns - 1));
    }
    return cells;
  }
}
