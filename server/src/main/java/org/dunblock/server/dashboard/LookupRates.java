package org.dunblock.server.dashboard;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;

/**
 * Lookups per minute of this instance for the operators' dashboard. Lookups mostly never reach Redis (the fast
 * path), so they can only be counted where they are answered: this reads the {@code dunblock.lookups} counters,
 * sampled by a periodic timer ({@link #SAMPLE_MS}), and keeps the last sample of each of the last
 * {@link #MINUTES} minutes. A minute's figure is its last sample minus the one before it.
 */
public final class LookupRates {
  public static final int MINUTES = 60;
  public static final long SAMPLE_MS = 5_000;
  static final String METER = "dunblock.lookups";
  static final String[] PATHS = {"filter", "store", "degraded"};

  private final MeterRegistry registry;
  private final long startMinute;
  /** Ring of MINUTES + 1 slots: the minute a slot holds (or -1) and the counters' total at its last sample. */
  private final long[] minutes = new long[MINUTES + 1];
  private final double[] totals = new double[MINUTES + 1];

  public LookupRates(MeterRegistry registry, long nowMs) {
    this.registry = registry;
    this.startMinute = nowMs / 60_000;
    Arrays.fill(minutes, -1);
  }

  /** Records the counters' current total under the current minute. */
  public synchronized void sample(long nowMs) {
    long minute = nowMs / 60_000;
    int slot = (int) (minute % minutes.length);
    minutes[slot] = minute;
    totals[slot] = count(null);
  }

  /**
   * {@code {perMinute: [oldest..now], byPath: {filter, store, degraded}, fastPathRatio}}; the current minute is
   * the last entry and still growing. Totals and the ratio count since this instance started.
   */
  public synchronized JsonObject snapshot(long nowMs) {
    sample(nowMs);
    long now = nowMs / 60_000;
    JsonArray perMinute = new JsonArray();
    for (long m = now - MINUTES + 1; m <= now; m++) {
      Double end = totalAt(m);
      Double before = totalBefore(m);
      perMinute.add(end == null || before == null ? 0L : Math.round(end - before));
    }
    JsonObject byPath = new JsonObject();
    for (String path : PATHS) {
      byPath.put(path, Math.round(count(path)));
    }
    double all = count(null);
    return new JsonObject()
        .put("perMinute", perMinute)
        .put("byPath", byPath)
        .put("fastPathRatio", all == 0 ? null : Math.round(count("filter") / all * 1000) / 1000.0);
  }

  private Double totalAt(long minute) {
    int slot = (int) (minute % minutes.length);
    return minutes[slot] == minute ? totals[slot] : null;
  }

  /** The last total sampled before the minute: 0 before this instance started, null when unknown. */
  private Double totalBefore(long minute) {
    for (long m = minute - 1; m > minute - minutes.length; m--) {
      if (m < startMinute) {
        return 0.0;
      }
      Double total = totalAt(m);
      if (total != null) {
        return total;
      }
    }
    return null;
  }

  private double count(String path) {
    double sum = 0;
    for (Counter c : registry.find(METER).counters()) {
      if (path == null || path.equals(c.getId().getTag("path"))) {
        sum += c.count();
      }
    }
    return sum;
  }
}
