package org.dunblock.server.config;

import java.time.Duration;

/**
 * Thresholds of the abuse patterns that raise a verdict beyond the crowd score (README, "How scoring works"):
 * address-book explosion (CONTACT_HARASSMENT from many victims on many networks within a window), call-bombing
 * (SILENT reports in a burst) and automatic ranges (enough BLOCKed numbers in one block of 100). They raise a
 * verdict to WARN at most: BLOCK stays with the crowd quorum (DESIGN.md rule 4).
 */
public record PatternPolicy(
    int fanOutMinReporters,
    int fanOutMinNetworks,
    Duration fanOutWindow,
    int bombingMinReporters,
    int bombingMinNetworks,
    Duration bombingWindow,
    int rangeMinBlocked) {

  public static final int DEFAULT_FAN_OUT_MIN_REPORTERS = 3;
  public static final int DEFAULT_FAN_OUT_MIN_NETWORKS = 3;
  public static final Duration DEFAULT_FAN_OUT_WINDOW = Duration.ofHours(24);
  public static final int DEFAULT_BOMBING_MIN_REPORTERS = 3;
  public static final int DEFAULT_BOMBING_MIN_NETWORKS = 1;
  public static final Duration DEFAULT_BOMBING_WINDOW = Duration.ofHours(1);
  public static final int DEFAULT_RANGE_MIN_BLOCKED = 4;
  /** The windows are kept per number in Redis; a day is the longest we trim to. */
  public static final Duration MAX_WINDOW = Duration.ofDays(1);

  public PatternPolicy {
    if (fanOutMinReporters < 2) {
      throw new ConfigException("DUNBLOCK_FANOUT_MIN_REPORTERS", "must be at least 2 (one victim is no fan-out)");
    }
    if (fanOutMinNetworks < 1 || fanOutMinNetworks > fanOutMinReporters) {
      throw new ConfigException("DUNBLOCK_FANOUT_MIN_NETWORKS", "must be between 1 and DUNBLOCK_FANOUT_MIN_REPORTERS");
    }
    window("DUNBLOCK_FANOUT_WINDOW_MINUTES", fanOutWindow);
    if (bombingMinReporters < 2) {
      throw new ConfigException("DUNBLOCK_BOMBING_MIN_REPORTERS", "must be at least 2");
    }
    if (bombingMinNetworks < 1 || bombingMinNetworks > bombingMinReporters) {
      throw new ConfigException("DUNBLOCK_BOMBING_MIN_NETWORKS", "must be between 1 and DUNBLOCK_BOMBING_MIN_REPORTERS");
    }
    window("DUNBLOCK_BOMBING_WINDOW_MINUTES", bombingWindow);
    if (rangeMinBlocked < 2 || rangeMinBlocked > 99) {
      throw new ConfigException("DUNBLOCK_RANGE_MIN_BLOCKED", "must be between 2 and 99 (a block has 100 numbers)");
    }
  }

  private static void window(String name, Duration window) {
    if (window == null || window.compareTo(Duration.ofMinutes(1)) < 0 || window.compareTo(MAX_WINDOW) > 0) {
      throw new ConfigException(name, "must be between 1 and " + MAX_WINDOW.toMinutes() + " minutes");
    }
  }

  public static PatternPolicy defaults() {
    return new PatternPolicy(DEFAULT_FAN_OUT_MIN_REPORTERS, DEFAULT_FAN_OUT_MIN_NETWORKS, DEFAULT_FAN_OUT_WINDOW,
        DEFAULT_BOMBING_MIN_REPORTERS, DEFAULT_BOMBING_MIN_NETWORKS, DEFAULT_BOMBING_WINDOW, DEFAULT_RANGE_MIN_BLOCKED);
  }

  static PatternPolicy fromEnv(Env e) {
    return new PatternPolicy(
        e.integer("DUNBLOCK_FANOUT_MIN_REPORTERS", DEFAULT_FAN_OUT_MIN_REPORTERS),
        e.integer("DUNBLOCK_FANOUT_MIN_NETWORKS", DEFAULT_FAN_OUT_MIN_NETWORKS),
        Duration.ofMinutes(e.longValue("DUNBLOCK_FANOUT_WINDOW_MINUTES", DEFAULT_FAN_OUT_WINDOW.toMinutes())),
        e.integer("DUNBLOCK_BOMBING_MIN_REPORTERS", DEFAULT_BOMBING_MIN_REPORTERS),
        e.integer("DUNBLOCK_BOMBING_MIN_NETWORKS", DEFAULT_BOMBING_MIN_NETWORKS),
        Duration.ofMinutes(e.longValue("DUNBLOCK_BOMBING_WINDOW_MINUTES", DEFAULT_BOMBING_WINDOW.toMinutes())),
        e.integer("DUNBLOCK_RANGE_MIN_BLOCKED", DEFAULT_RANGE_MIN_BLOCKED));
  }

  /** The longest window, to which the per-number window set is trimmed. */
  public Duration longestWindow() {
    return fanOutWindow.compareTo(bombingWindow) >= 0 ? fanOutWindow : bombingWindow;
  }
}
