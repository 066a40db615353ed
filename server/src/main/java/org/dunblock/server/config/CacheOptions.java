package org.dunblock.server.config;

import java.time.Duration;

/**
 * Each instance's near cache of the Redis records behind listed numbers (store/RecordCache): bounded in entries and
 * in approximate bytes, and served only while its invalidation channel has proven it current within
 * {@code maxStaleness}.
 *
 * @param maxEntries records kept at most ({@code DUNBLOCK_REPUTATION_CACHE_ENTRIES}); 0 turns the cache off
 * @param maxBytes approximate heap the cached records may take ({@code DUNBLOCK_REPUTATION_CACHE_MB})
 * @param maxStaleness how far behind Redis an answer from the cache may be at most
 *     ({@code DUNBLOCK_REPUTATION_CACHE_STALENESS_MS}); past it, lookups read Redis as without a cache. At most 1 s,
 *     the bound DESIGN.md rule 1 gives every instance to see a write
 */
public record CacheOptions(int maxEntries, long maxBytes, Duration maxStaleness) {
  /** On by default: 100,000 records (a listed number's record weighs about 0.5 to 1.5 KB here: 64 MB). */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;
  public static final long DEFAULT_MAX_MB = 64;
  public static final Duration DEFAULT_MAX_STALENESS = Duration.ofMillis(500);
  public static final Duration MAX_STALENESS_LIMIT = Duration.ofSeconds(1);

  public CacheOptions {
    if (maxEntries < 0) {
      throw new ConfigException("DUNBLOCK_REPUTATION_CACHE_ENTRIES", "must be 0 (off) or more");
    }
    if (maxBytes < 1024 * 1024) {
      throw new ConfigException("DUNBLOCK_REPUTATION_CACHE_MB", "must be at least 1");
    }
    if (maxStaleness == null || maxStaleness.toMillis() < 20 || maxStaleness.compareTo(MAX_STALENESS_LIMIT) > 0) {
      throw new ConfigException("DUNBLOCK_REPUTATION_CACHE_STALENESS_MS", "must be between 20 and 1000");
    }
  }

  public static CacheOptions defaults() {
    return new CacheOptions(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_MB * 1024 * 1024, DEFAULT_MAX_STALENESS);
  }

  public boolean enabled() {
    return maxEntries > 0;
  }
}
