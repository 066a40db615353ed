package org.dunblock.server.store;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Function;
import org.dunblock.server.config.CacheOptions;

/**
 * A near cache of the Redis hashes behind listed numbers: number records ({@code num:}, also of prefix overrides)
 * and range blocks ({@code range:}), as HGETALL returned them. It keeps records, not answers: the caller evaluates
 * the record at lookup time as it would a fetched one, so time decay, retention and the register of verified callers
 * apply exactly as without it. Redis's key expiry is no concern either: a record expires no earlier than the instant
 * from which the calculator already treats it as gone.
 *
 * <p>An entry is served only while the {@link InvalidationChannel} is {@linkplain InvalidationChannel#fresh fresh}:
 * every write Redis finished more than the staleness bound ago has reached this instance and removed what it
 * changed. A read puts a placeholder in first and replaces only that placeholder with what Redis answered, so an
 * invalidation that arrives while the read is on its way (before or after Redis ran it) is never overwritten by the
 * old value. This instance's own scripts also invalidate the keys they name as they complete ({@link #invalidated}),
 * so a lookup after one of its own writes never sees the cached value, not even for the bound.
 *
 * <p>Bounded in entries and in approximate bytes (each entry weighs its estimated size), neither of which is ever
 * passed, evicting by CLOCK ({@link ClockCache}): a hit stores at most one flag in the cache and no reference, so
 * serving tens of thousands of cached records a second dirties no cards for the young collections to scan (the
 * values it reads are new substrings, young garbage). Records are kept as
 * {@link CompactRecord}s, four objects each, as the collections copy a freshly filled cache until it is promoted.
 *
 * <p>A record is kept on its second miss, not its first: a doorkeeper (one fingerprint per slot, four slots per
 * entry, overwritten by later misses) remembers the keys missed recently, and only a key found there is kept. A
 * number asked about once (most of a uniform spread over millions) then costs no entry, no eviction and no object
 * that survives a young collection; a collector's number, asked about again and again, is kept from its second
 * lookup. Keeping every miss made the young collections copy the records of one-off lookups (pauses of 140 to 230 ms
 * on one shared core in bench.sh's cold scenario).
 */
public final class RecordCache implements InvalidationChannel.Listener {
  /** The least an entry weighs (see {@link #weight}): with the byte bound, it bounds the ring's length. */
  private static final int LEAST_WEIGHT = 136;
  private static final int MAX_RING = 1 << 24;

  private final ClockCache<String, CompactRecord> entries;
  private final Function<String, Future<Map<String, String>>> redis;
  private volatile InvalidationChannel channel;
  private final Counter hits;
  private final Counter misses;
  private final Counter bypassed;
  private final Counter invalidations;
  private final Counter resets;
  private final Counter evictions;
  private final Counter deferred;
  /**
   * The doorkeeper: fingerprints (a key's hash, 0 for none) of keys missed and not kept. Read and written by every
   * event loop without synchronisation; a lost update only changes whether one record is kept.
   */
  private final int[] seen;
  private final int seenShift;

  /**
   * @param redis reads a hash from Redis (HGETALL) on the caller's context
   */
  public RecordCache(CacheOptions options, Function<String, Future<Map<String, String>>> redis,
      MeterRegistry registry) {
    this.redis = redis;
    // Four slots per entry (4 bytes each): a hot set as large as the cache is remembered between its lookups.
    int slots = Integer.highestOneBit((int) Math.min(1 << 24, Math.max(1024, 4L * options.maxEntries())) * 2 - 1);
    this.seen = new int[slots];
    this.seenShift = 32 - Integer.numberOfTrailingZeros(slots);
    // The ring is allocated whole (8 to 12 bytes a slot): no longer than the byte bound can fill, nor than 16 M.
    // (Made only when the cache is on: at least one entry and 1 MB.)
    int ring = (int) Math.min(Math.min(options.maxEntries(), MAX_RING), options.maxBytes() / LEAST_WEIGHT);
    this.entries = new ClockCache<>(ring, options.maxBytes(), this::evicted);
    String name = "dunblock.reputation.cache";
    this.hits = Counter.builder(name + ".lookups").tag("result", "hit")
        .description("Record reads of listed numbers by the near cache's outcome").register(registry);
    this.misses = Counter.builder(name + ".lookups").tag("result", "miss")
        .description("Record reads of listed numbers by the near cache's outcome").register(registry);
    this.bypassed = Counter.builder(name + ".lookups").tag("result", "bypass")
        .description("Record reads of listed numbers by the near cache's outcome").register(registry);
    this.invalidations = Counter.builder(name + ".invalidations").tag("scope", "key")
        .description("Invalidations received (keys) and whole-cache drops (reset)").register(registry);
    this.resets = Counter.builder(name + ".invalidations").tag("scope", "reset")
        .description("Invalidations received (keys) and whole-cache drops (reset)").register(registry);
    this.deferred = Counter.builder(name + ".deferred")
        .description("Misses not kept because the key was not missed recently (kept on its next miss)")
        .register(registry);
    this.evictions = Counter.builder(name + ".evictions")
        .description("Entries evicted to keep the near cache within its bounds").register(registry);
    Gauge.builder(name + ".entries", entries, ClockCache::size).description("Entries in the near cache")
        .register(registry);
    Gauge.builder(name + ".bytes", entries, ClockCache::weight)
        .description("Estimated heap of the near cache's records").register(registry);
    Gauge.builder(name + ".fresh", this, c -> c.channel != null && c.channel.fresh(System.nanoTime()) ? 1 : 0)
        .description("1 while the invalidation channel proves the near cache current, else 0 (lookups read Redis)")
        .register(registry);
  }

  /** Starts serving once {@code channel} proves the entries current; until then every read goes to Redis. */
  public void follow(InvalidationChannel channel) {
    this.channel = channel;
  }

  /** The hash at {@code key}: from the cache when it is current, else from Redis (kept when {@code keep}). */
  public Future<Map<String, String>> hgetall(String key, boolean keep) {
    InvalidationChannel current = channel;
    if (current == null || !current.fresh(System.nanoTime())) {
      bypassed.increment();
      return redis.apply(key);
    }
    CompactRecord cached = entries.get(key);
    if (cached != null) {
      hits.increment();
      return Future.succeededFuture(cached);
    }
    misses.increment();
    if (!keep) {
      return redis.apply(key);
    }
    if (!secondMiss(key)) {
      deferred.increment();
      return redis.apply(key);
    }
    ClockCache.Fill fill = entries.begin(key);
    Future<Map<String, String>> read;
    try {
      read = redis.apply(key);
    } catch (RuntimeException e) {
      entries.abandon(key, fill);
      throw e;
    }
    return read.onComplete(answer -> {
      if (answer.succeeded()) {
        CompactRecord value = CompactRecord.of(answer.result());
        entries.complete(key, fill, value, weight(key, value));
      } else {
        entries.abandon(key, fill);
      }
    });
  }

  @Override
  public void invalidated(String key) {
    invalidations.increment();
    entries.remove(key);
  }

  /** Drops the keys a write of this instance named (its scripts' KEYS), as the write completes. */
  public void invalidated(String[] keys) {
    for (String key : keys) {
      entries.remove(key);
    }
  }

  @Override
  public void reset() {
    resets.increment();
    entries.clear();
  }

  /**
   * Whether {@code key} was missed recently; if not, remembers it (in place of whatever shared its slot). A kept key
   * stays remembered, so after an invalidation its next miss keeps it again at once.
   */
  private boolean secondMiss(String key) {
    int hash = key.hashCode();
    int fingerprint = hash == 0 ? 1 : hash;
    int slot = (hash * 0x9E3779B9) >>> seenShift;
    if (seen[slot] == fingerprint) {
      return true;
    }
    seen[slot] = fingerprint;
    return false;
  }

  private void evicted() {
    evictions.increment();
  }

  /**
   * Rough heap of an entry: the map's node, the cache's entry and the key (about 150 bytes with a number's key), then
   * the record in its compact form (its field names are shared with the records of its shape).
   */
  static long weight(String key, CompactRecord value) {
    return LEAST_WEIGHT + key.length() + value.heapBytes();
  }
}
