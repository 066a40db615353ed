package org.dunblock.server.config;

import java.time.Duration;

/**
 * Each instance's in-memory Bloom filter of listed numbers.
 *
 * @param expectedNumbers numbers it is sized for ({@code DUNBLOCK_FILTER_EXPECTED_NUMBERS}); beyond it the false
 *     positive rate rises (answers stay exact: a false positive only costs a Redis read)
 * @param fpp the false positive probability at {@code expectedNumbers} ({@code DUNBLOCK_FILTER_FPP})
 * @param rebuildInterval how often the filter is rebuilt from the indexes, dropping numbers that left the list
 * @param streamCatchUpMax the most changes {@code GET /v1/filter/stream} replays to a client resuming from an old
 *     version ({@code DUNBLOCK_FILTER_STREAM_CATCHUP_MAX}); a client further behind gets 410 and downloads a snapshot,
 *     so one anonymous request cannot make the server read and buffer the whole change history
 */
public record FilterOptions(long expectedNumbers, double fpp, Duration rebuildInterval, int streamCatchUpMax) {
  public FilterOptions {
    if (streamCatchUpMax < 1) {
      throw new ConfigException("DUNBLOCK_FILTER_STREAM_CATCHUP_MAX", "must be at least 1");
    }
    if (expectedNumbers < 1000) {
      throw new ConfigException("DUNBLOCK_FILTER_EXPECTED_NUMBERS", "must be at least 1000");
    }
    if (!(fpp > 0 && fpp < 0.5)) {
      throw new ConfigException("DUNBLOCK_FILTER_FPP", "must be between 0 and 0.5 exclusive");
    }
    DunblockConfig.requirePositive("DUNBLOCK_FILTER_REBUILD_MINUTES", rebuildInterval);
  }
}
