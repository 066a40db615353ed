package org.dunblock.server.lookup;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One minute's lookups of the clients that made only a few, counted without an entry per client: a count-min
 * sketch of four rows of counters. The estimate of a client's count is never below what was added for it, and is
 * above it only by what clients sharing all four of its counters added. Its memory is fixed when it is made (four
 * ints a column), and its few large arrays are never copied by young collections as a table of small objects would
 * be.
 *
 * <p>The hash is keyed with a secret 128-bit key per instance (SipHash), so nobody can choose addresses that share
 * counters.
 * Safe for concurrent use (see {@link #addIfLight}).
 */
final class LightCounts {
  private static final int ROWS = 4;

  final long window;
  private final int columns;
  private final AtomicIntegerArray counts;
  /** The first row's counters that are not zero. */
  private final LongAdder usedColumns = new LongAdder();
  /** Two keyed hashes (SipHash-2-4 under one secret 128-bit key, its halves swapped for the second). */
  private final HashFunction first;
  private final HashFunction second;

  /** {@code columns} a power of two. */
  LightCounts(long window, int columns, long key0, long key1) {
    if (Integer.bitCount(columns) != 1) {
      throw new IllegalArgumentException("columns must be a power of two: " + columns);
    }
    this.window = window;
    this.columns = columns;
    this.counts = new AtomicIntegerArray(ROWS * columns);
    this.first = Hashing.sipHash24(key0, key1);
    this.second = Hashing.sipHash24(key1, key0);
  }

  /** The power of two of columns at or above {@code columns}, within 1,024 and {@code maxColumns}. */
  static int columnsFor(int columns, int maxColumns) {
    int wanted = Math.max(1024, Math.min(columns, maxColumns));
    return Math.min(Integer.highestOneBit(wanted - 1) << 1, maxColumns);
  }

  /**
   * Adds {@code n} to {@code key}'s count and returns -1 if its estimate stays within {@code light}; otherwise returns
   * the estimate before this add, at most {@code light}, for the entry the client now gets. Without concurrent
   * requests of the client, the told count is never below its own light lookups: a client stays light only while its
   * estimate, which counts all its lookups, stays within {@code light}. The add comes first so that requests of one
   * client at once on several event loops see each other's adds: a told count may then hold a lookup twice, and
   * misses one only when two adds meet in opposite orders in different rows.
   */
  int addIfLight(String key, int n, int light) {
    int[] cells = cellsOf(key);
    long before = Long.MAX_VALUE;
    for (int cell : cells) {
      int was = counts.getAndAdd(cell, n);
      if (was == 0 && n > 0 && cell < columns) {
        usedColumns.increment(); // a counter of the first row in use from now on
      }
      before = Math.min(before, was);
    }
    if (before + n <= light) {
      return -1;
    }
    return (int) Math.min(before, light);
  }

  /** The share of the first row's counters that are not zero (for the sketch's fill, on /metrics). */
  double fill() {
    return (double) usedColumns.sum() / columns;
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

  /** The key's counter in each row: two keyed hashes, combined (the second made odd). */
  private int[] cellsOf(String key) {
    long h1 = first.hashUnencodedChars(key).asLong();
    long h2 = second.hashUnencodedChars(key).asLong() | 1;
    int[] cells = new int[ROWS];
    for (int row = 0; row < ROWS; row++) {
      cells[row] = row * columns + (int) ((h1 + row * h2) & (columns - 1));
    }
    return cells;
  }
}
