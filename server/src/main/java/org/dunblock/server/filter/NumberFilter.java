package org.dunblock.server.filter;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.dunblock.server.store.KeySchema;

/**
 * The in-memory fast path: a Guava {@link BloomFilter} of every listed number (E.164). A miss means nobody ever
 * reported the number, so its answer is known without Redis; a hit sends the lookup to Redis.
 *
 * <p>Guava's filter is thread-safe and lock-free, so event loops read it while the follower adds to it. A rebuild
 * fills a fresh filter off to the side; adds that arrive meanwhile go to both, then the new one is swapped in.
 */
public final class NumberFilter {
  private final long expectedNumbers;
  private final double fpp;
  private final AtomicReference<BloomFilter<CharSequence>> current;
  private volatile BloomFilter<CharSequence> building;
  private volatile boolean loaded;
  /** Whether any prefix override is listed: lookups skip probing prefixes while none is. */
  private volatile boolean prefixes;
  private volatile boolean buildingPrefixes;
  /** The listed numbers by hash prefix, rebuilt and swapped with the filter; exact once a full build swapped in. */
  private volatile HashPrefixIndex hashes = new HashPrefixIndex();
  private volatile HashPrefixIndex buildingHashes;
  private volatile boolean hashesComplete;

  /**
   * @param expectedNumbers how many numbers the filter is sized for before its false-positive rate degrades
   * @param fpp the false-positive probability at that size
   */
  public NumberFilter(long expectedNumbers, double fpp) {
    this.expectedNumbers = expectedNumbers;
    this.fpp = fpp;
    this.current = new AtomicReference<>(create());
  }

  private BloomFilter<CharSequence> create() {
    return BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), expectedNumbers, fpp);
  }

  /** True when the number may be listed; false means it certainly is not. */
  public boolean mightContain(String e164) {
    return current.get().mightContain(e164);
  }

  /** Adds a listed number to the live filter and to a rebuild in progress. */
  public void add(String e164) {
    boolean prefix = KeySchema.isPrefixEntry(e164);
    if (prefix) {
      prefixes = true;
      buildingPrefixes = true;
    }
    current.get().put(e164);
    BloomFilter<CharSequence> next = building;
    if (next != null) {
      next.put(e164);
    }
    hashes.add(e164);
    HashPrefixIndex nextHashes = buildingHashes;
    if (nextHashes != null) {
      nextHashes.add(e164);
    }
  }

  /**
   * The prefix-override entries ("P:" + prefix) that may cover a number: every prefix from "+" and 3 digits to 3
   * digits short of the number (the shapes {@code PrefixRules} allows). Empty at once while no prefix is listed.
   */
  public java.util.List<String> prefixHits(String e164) {
    if (loaded && !prefixes) {
      return java.util.List.of();
    }
    java.util.List<String> hits = new java.util.ArrayList<>(1);
    BloomFilter<CharSequence> live = current.get();
    for (int end = 4; end <= e164.length() - 3; end++) {
      String entry = KeySchema.prefixEntry(e164.substring(0, end));
      if (!loaded || live.mightContain(entry)) {
        hits.add(entry);
      }
    }
    return hits;
  }

  /**
   * The number's block of 100 ({@link KeySchema#rangeBlock}) when a range may cover it, so its block record must be
   * read; null when none does. Once the hash-prefix index is exact it answers, exactly and from a small set (none at
   * all while no range is listed); until then the filter does, with one more probe (every block while loading).
   */
  public String rangeBlockHit(String e164) {
    if (e164.length() < KeySchema.RANGE_MIN_NUMBER_LENGTH) {
      return null;
    }
    HashPrefixIndex index = hashIndex();
    if (index != null && !index.hasRanges()) {
      return null;
    }
    String block = KeySchema.rangeBlock(e164);
    if (!loaded) {
      return block;
    }
    boolean hit = index != null ? index.hasRange(block) : current.get().mightContain(KeySchema.rangeEntry(block));
    return hit ? block : null;
  }

  /** Called by a rebuild for each index entry it scans (and puts in the filter it rebuilds). */
  public void rebuildSaw(String entry) {
    if (KeySchema.isPrefixEntry(entry)) {
      buildingPrefixes = true;
    }
    HashPrefixIndex nextHashes = buildingHashes;
    if (nextHashes != null) {
      nextHashes.add(entry);
    }
  }

  /**
   * The listed numbers by hash prefix once they are exact: a full build from the indexes swapped in and the filter
   * caught up with the change streams. Null before (at start, and after a start from a {@link FilterCheckpoint},
   * which holds no such index, until the rebuild that follows it).
   */
  public HashPrefixIndex hashIndex() {
    return loaded && hashesComplete ? hashes : null;
  }

  /** Starts a rebuild: returns the fresh filter that {@link #add} also feeds until {@link #swap}. */
  public synchronized BloomFilter<CharSequence> beginRebuild() {
    BloomFilter<CharSequence> next = create();
    building = next;
    buildingPrefixes = false;
    buildingHashes = new HashPrefixIndex();
    return next;
  }

  /** Makes the rebuilt filter live; numbers no longer listed stop costing Redis lookups. */
  public synchronized void swap(BloomFilter<CharSequence> rebuilt) {
    current.set(rebuilt);
    if (building == rebuilt) {
      building = null;
      prefixes = buildingPrefixes;
      hashes = buildingHashes;
      buildingHashes = null;
      hashesComplete = true;
    }
  }

  /**
   * Makes a filter loaded from a {@link FilterCheckpoint} live, before the first build; the caller then replays the
   * change streams from the checkpoint's positions (which also re-adds anything added to the filter it replaces).
   */
  public synchronized void restore(BloomFilter<CharSequence> loaded, boolean withPrefixes) {
    current.set(loaded);
    prefixes = withPrefixes;
  }

  /** The live filter and whether it lists prefixes, for a {@link FilterCheckpoint}. */
  synchronized FilterCheckpoint.Restored live(String[] offsets) {
    return new FilterCheckpoint.Restored(current.get(), prefixes, offsets);
  }

  /** Called once the first build has also caught up with the change streams. */
  public void markLoaded() {
    java.util.List<Runnable> actions;
    synchronized (this) {
      loaded = true;
      actions = java.util.List.copyOf(whenLoaded);
      whenLoaded.clear();
    }
    actions.forEach(Runnable::run);
  }

  private final java.util.List<Runnable> whenLoaded = new java.util.ArrayList<>(1);

  /**
   * Runs {@code action} once the filter is loaded (at once if it is), on the thread that marks it loaded: for state
   * that, like the filter, must have caught up with the change streams (protect/VerifiedCallerStore).
   */
  public void whenLoaded(Runnable action) {
    synchronized (this) {
      if (!loaded) {
        whenLoaded.add(action);
        return;
      }
    }
    action.run();
  }

  /** Abandons a failed rebuild; the live filter stays as it was. */
  public synchronized void abandonRebuild(BloomFilter<CharSequence> failed) {
    if (building == failed) {
      building = null;
      buildingHashes = null;
    }
  }

  /**
   * Starts building the hash-prefix index alone (after a start from a checkpoint, whose filter is kept): {@link #add}
   * and {@link #rebuildSaw} feed it until {@link #swapHashIndex}. Not while a full rebuild runs (the follower runs one
   * rebuild at a time).
   */
  public synchronized void beginHashIndexRebuild() {
    buildingHashes = new HashPrefixIndex();
  }

  /** Makes the index begun by {@link #beginHashIndexRebuild} live and exact; {@code ok} false abandons it. */
  public synchronized void swapHashIndex(boolean ok) {
    if (ok && buildingHashes != null) {
      hashes = buildingHashes;
      hashesComplete = true;
    }
    buildingHashes = null;
  }

  /** True once the filter was built from Redis at least once; until then every lookup goes to Redis. */
  public boolean loaded() {
    return loaded;
  }

  /** Guava's estimate of the numbers in the live filter. */
  public long approximateSize() {
    return current.get().approximateElementCount();
  }

  public double expectedFpp() {
    return current.get().expectedFpp();
  }
}
