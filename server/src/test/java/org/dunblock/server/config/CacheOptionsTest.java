package org.dunblock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CacheOptionsTest {
  @Test
  void nearCacheDefaultsAndVariables() {
    CacheOptions defaults = DunblockConfig.fromEnv(Map.of()).cache();
    assertEquals(100_000, defaults.maxEntries());
    assertEquals(64L * 1024 * 1024, defaults.maxBytes());
    assertEquals(Duration.ofMillis(500), defaults.maxStaleness());
    CacheOptions set = DunblockConfig.fromEnv(Map.of("DUNBLOCK_REPUTATION_CACHE_ENTRIES", "0",
        "DUNBLOCK_REPUTATION_CACHE_MB", "8", "DUNBLOCK_REPUTATION_CACHE_STALENESS_MS", "250")).cache();
    assertFalse(set.enabled());
    assertEquals(8L * 1024 * 1024, set.maxBytes());
    assertEquals(Duration.ofMillis(250), set.maxStaleness());
  }

  @Test
  void stalenessPastTheOneSecondOfRuleOneIsRefused() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_REPUTATION_CACHE_STALENESS_MS", "1500")));
    assertEquals("DUNBLOCK_REPUTATION_CACHE_STALENESS_MS", e.variable());
    assertEquals("DUNBLOCK_REPUTATION_CACHE_ENTRIES", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_REPUTATION_CACHE_ENTRIES", "-1"))).variable());
    assertEquals("DUNBLOCK_REPUTATION_CACHE_MB", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_REPUTATION_CACHE_MB", "0"))).variable());
  }
}
