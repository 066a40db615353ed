package org.dunblock.server.store;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A read-through cache bounded in entries and in weight, evicting by CLOCK (second chance), whose hits write nothing
 * but a flag: a hit is a {@link ConcurrentHashMap} read and, the first time after the hand last passed, one boolean
 * store. No queue node is allocated and no reference is stored on a hit, so reading a large cached set at a high
 * rate leaves the old generation's cards clean. (An LRU cache, Guava's among them, records every read in a queue and
 * relinks the entry it read: at 12,000 uniform hits a second over 50,000 entries the young collections scanned about
 * 28,000 dirtied cards, 7 to 8 ms of each pause on one shared core.)
 *
 * <p>Filling is in two steps, so that a removal arriving while the value is being read is never undone:
 * {@link #begin} puts a placeholder for the key and {@link #complete} replaces only that placeholder. A
 * {@link #remove} or {@link #clear} in between removes the placeholder and the late value is dropped.
 *
 * <p>Entries sit in a ring of slots. Evicting, the hand sweeps the ring: an entry read since the hand last passed it
 * loses its flag and stays, one that was not is evicted. A key read again and again survives any number of one-off
 * keys passing through, as with LRU. Everything but {@link #get} takes one lock; fills follow a miss (a Redis round
 * trip) and removals follow writes, both far rarer than hits.
 */
final class ClockCache<K, V> {
  /** What {@link #begin} leaves in the map while the value is read. */
  static final class Fill {
    private Fill() {
    }
  }

  private static final class Entry<K, V> {
    final K key;
    final V value;
    final long weight;
    final int slot;
    /** Read since the hand last passed; a plain field: a lost store costs one entry its second chance. */
    boolean referenced;

    Entry(K key, V value, long weight, int slot) {
      this.key = key;
      this.value = value;
      this.weight = weight;
      this.slot = slot;
    }
  }

  private final ConcurrentHashMap<K, Object> map;
  private final long maxWeight;
  private final Runnable onEviction;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: the ring, the free slots (a stack), the hand and the totals. */
  private final Entry<K, V>[] ring;
  private final int[] free;
  private int freeCount;
  private int hand;
  private volatile int size;
  private volatile long weight;

  /**
   * @param maxEntries entries kept at most (the ring's length)
   * @param maxWeight total weight kept at most
   * @param onEviction run, under the lock, for each entry evicted to stay within the bounds
   */
  @SuppressWarnings("unchecked")
  ClockCache(int maxEntries, long maxWeight, Runnable onEviction) {
    if (maxEntries < 1 || maxWeight < 1) {
      throw new IllegalArgumentException("bounds must be positive: " + maxEntries + " entries, " + maxWeight);
    }
    this.map = new ConcurrentHashMap<>(Math.min(maxEntries, 1 << 16));
    this.maxWeight = maxWeight;
    this.onEviction = onEviction;
    this.ring = (Entry<K, V>[]) new Entry<?, ?>[maxEntries];
    this.free = new int[maxEntries];
    resetSlots();
  }

  /** The value cached for {@code key}, or null (also while it is being filled). */
  @SuppressWarnings("unchecked")
  V get(K key) {
    if (map.get(key) instanceof Entry<?, ?> entry) {
      if (!entry.referenced) {
        entry.referenced = true;
      }
      return (V) entry.value;
    }
    return null;
  }

  /** Starts filling {@code key}: drops what it held and returns the placeholder that {@link #complete} needs. */
  Fill begin(K key) {
    Fill fill = new Fill();
    synchronized (lock) {
      unlink(map.put(key, fill));
    }
    return fill;
  }

  /**
   * Keeps {@code value} for {@code key} if {@code fill} is still its placeholder (nothing removed or refilled it
   * meanwhile), evicting to make room. A value heavier than the whole bound is not kept.
   *
   * @return whether the value was kept
   */
  boolean complete(K key, Fill fill, V value, long valueWeight) {
    synchronized (lock) {
      if (map.get(key) != fill) {
        return false;
      }
      if (valueWeight > maxWeight || !makeRoom(valueWeight)) {
        map.remove(key, fill);
        return false;
      }
      Entry<K, V> entry = new Entry<>(key, value, valueWeight, free[--freeCount]);
      ring[entry.slot] = entry;
      size++;
      weight += valueWeight;
      map.put(key, entry);
      return true;
    }
  }

  /** Gives up filling {@code key} (the read failed); a later fill or removal is left alone. */
  void abandon(K key, Fill fill) {
    map.remove(key, fill);
  }

  /** Removes {@code key}, cached or being filled (a fill in progress then keeps nothing). */
  void remove(K key) {
    if (!map.containsKey(key)) {
      // Nothing to undo: a fill that begins after this check reads the value as it is now.
      return;
    }
    synchronized (lock) {
      unlink(map.remove(key));
    }
  }

  /** Removes everything, fills in progress included. */
  void clear() {
    synchronized (lock) {
      map.clear();
      resetSlots();
    }
  }

  /** Entries kept (fills in progress not counted). */
  int size() {
    return size;
  }

  /** Total weight of the entries kept. */
  long weight() {
    return weight;
  }

  /**
   * Sweeps with the hand until one more entry of {@code needed} weight fits. Two turns clear every flag and then
   * evict; hits setting flags again behind the hand could keep it going, so it stops after three and reports whether
   * the entry fits. Under the lock.
   */
  private boolean makeRoom(long needed) {
    for (long steps = 3L * ring.length; steps > 0 && !fits(needed); steps--) {
      Entry<K, V> entry = ring[hand];
      hand = hand + 1 == ring.length ? 0 : hand + 1;
      if (entry == null) {
        continue;
      }
      if (entry.referenced) {
        entry.referenced = false;
        continue;
      }
      map.remove(entry.key, entry);
      unlink(entry);
      onEviction.run();
    }
    return fits(needed);
  }

  private boolean fits(long needed) {
    return freeCount > 0 && weight + needed <= maxWeight;
  }

  /** Frees the slot and weight of {@code removed} if it is a kept entry. Under the lock. */
  private void unlink(Object removed) {
    if (removed instanceof Entry<?, ?> entry && ring[entry.slot] == entry) {
      ring[entry.slot] = null;
      free[freeCount++] = entry.slot;
      size--;
      weight -= entry.weight;
    }
  }

  /** Under the lock (or in the constructor). */
  private void resetSlots() {
    Arrays.fill(ring, null);
    // Slots are handed out from the top of the stack: 0, 1, 2, ... while the ring fills.
    for (int i = 0; i < free.length; i++) {
      free[i] = free.length - 1 - i;
    }
    freeCount = free.length;
    hand = 0;
    size = 0;
    weight = 0;
  }
}
