package org.dunblock.server.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class LookupRatesTest {
  static final long MINUTE = 60_000;
  static final long START = 1_000 * MINUTE + 7_000;

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final Counter filter = registry.counter(LookupRates.METER, "path", "filter");
  final Counter store = registry.counter(LookupRates.METER, "path", "store");
  final LookupRates rates = new LookupRates(registry, START);

  @Test
  void eachMinuteCountsTheLookupsAnsweredInIt() {
    filter.increment(3);
    rates.sample(START + 50_000);
    filter.increment(2);
    store.increment();
    rates.sample(START + MINUTE);
    store.increment(4);

    JsonObject snapshot = rates.snapshot(START + 2 * MINUTE);
    JsonArray perMinute = snapshot.getJsonArray("perMinute");
    assertEquals(LookupRates.MINUTES, perMinute.size());
    assertEquals(3L, perMinute.getLong(57), "the minute the instance started");
    assertEquals(3L, perMinute.getLong(58), "the next minute");
    assertEquals(4L, perMinute.getLong(59), "the current minute so far");
    assertEquals(0L, perMinute.getLong(0), "before the instance started");
    assertEquals(new JsonObject().put("filter", 5L).put("store", 5L).put("degraded", 0L), snapshot.getJsonObject("byPath"));
    assertEquals(0.5, snapshot.getDouble("fastPathRatio"));
  }

  @Test
  void aMinuteWithoutSamplesAddsItsLookupsToTheNextSampledOne() {
    filter.increment(2);
    rates.sample(START);
    filter.increment(6);
    // No sample in the next minute (a stalled timer): its lookups show in the minute after.
    JsonArray perMinute = rates.snapshot(START + 2 * MINUTE).getJsonArray("perMinute");
    assertEquals(2L, perMinute.getLong(57));
    assertEquals(0L, perMinute.getLong(58));
    assertEquals(6L, perMinute.getLong(59));
  }

  @Test
  void noLookupsNoRatio() {
    assertNull(rates.snapshot(START).getValue("fastPathRatio"));
  }

  @Test
  void minutesOlderThanTheWindowAreForgotten() {
    filter.increment(9);
    rates.sample(START);
    JsonArray perMinute = rates.snapshot(START + (LookupRates.MINUTES + 5) * MINUTE).getJsonArray("perMinute");
    assertEquals(0L, perMinute.stream().mapToLong(v -> ((Number) v).longValue()).sum());
  }
}
