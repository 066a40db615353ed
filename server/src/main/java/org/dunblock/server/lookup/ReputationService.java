package org.dunblock.server.lookup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.reputation.Reputation;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;
import org.dunblock.server.store.RecordCache;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers "what do we know about this number?": the filter first (a miss is the unreported answer, with no Redis
 * command), Redis for a hit, and a flagged fail-open answer when Redis does not answer within the deadline.
 */
public final class ReputationService {
  private static final Logger LOG = LoggerFactory.getLogger(ReputationService.class);

  private final NumberFilter filter;
  private final ReputationStore store;
  private final RecordCache cache;
  private final ReputationCalculator calculator;
  private final Clock clock;
  private final long timeoutMs;
  private final Counter fastPath;
  private final Counter storePath;
  private final Counter degraded;

  public ReputationService(NumberFilter filter, ReputationStore store, ReputationCalculator calculator, Clock clock,
      Duration timeout, MeterRegistry registry) {
    this(filter, store, null, calculator, clock, timeout, registry);
  }

  /**
   * @param cache the near cache of listed numbers' records, or null to read every filter hit from Redis; the records
   *     are evaluated at lookup time either way
   */
  public ReputationService(NumberFilter filter, ReputationStore store, RecordCache cache,
      ReputationCalculator calculator, Clock clock, Duration timeout, MeterRegistry registry) {
    this.filter = filter;
    this.store = store;
    this.cache = cache;
    this.calculator = calculator;
    this.clock = clock;
    this.timeoutMs = timeout.toMillis();
    this.fastPath = Counter.builder("dunblock.lookups").tag("path", "filter")
        .description("Lookups by how they were answered").register(registry);
    this.storePath = Counter.builder("dunblock.lookups").tag("path", "store")
        .description("Lookups by how they were answered").register(registry);
    this.degraded = Counter.builder("dunblock.lookups").tag("path", "degraded")
        .description("Lookups by how they were answered").register(registry);
  }

  /**
   * For operators (evidence packs): the number's protection (DESIGN.md rule 9) and what the crowd alone makes of
   * its record, or null when the number is not protected.
   */
  public io.vertx.core.json.JsonObject protection(String e164, Map<String, String> record, long nowMs) {
    org.dunblock.server.reputation.ProtectionKind kind = calculator.protection(e164);
    if (kind == null) {
      return null;
    }
    Reputation crowd = calculator.crowdOnly(e164, record, nowMs);
    io.vertx.core.json.JsonObject json = new io.vertx.core.json.JsonObject().put("kind", kind.name())
        .put("crowdVerdict", crowd.verdict().name())
        .put("capped", crowd.verdict().ordinal() > kind.ceiling().ordinal());
    return json;
  }

  private Future<Map<String, String>> record(String key, boolean keep) {
    return cache == null ? store.call(redis -> redis.hgetall(key)) : cache.hgetall(key, keep);
  }

  public Future<Reputation> reputation(String e164) {
    boolean loaded = filter.loaded();
    boolean numberHit = !loaded || filter.mightContain(e164);
    List<String> prefixHits = filter.prefixHits(e164);
    // The number's block of 100: its record is read only when the block has a range.
    String block = filter.rangeBlockHit(e164);
    boolean rangeHit = block != null;
    if (!numberHit && prefixHits.isEmpty() && !rangeHit) {
      fastPath.increment();
      return Future.succeededFuture(Reputation.unreported(e164));
    }
    // Only filter hits get here, so only listed numbers (and the filter's rare false positives) are cached; not
    // while the filter is still loading, when every number gets here.
    Future<Map<String, String>> own = numberHit ? record(KeySchema.number(e164), loaded)
        : Future.succeededFuture(Map.of());
    Future<Map<String, String>> range = rangeHit ? record(KeySchema.range(block), loaded)
        : Future.succeededFuture(Map.of());
    List<Future<Map<String, String>>> prefixRecords = new ArrayList<>(prefixHits.size());
    for (String entry : prefixHits) {
      prefixRecords.add(record(KeySchema.number(entry), loaded));
    }
    List<Future<?>> all = new ArrayList<>(prefixRecords);
    all.add(own);
    all.add(range);
    return Future.all(all)
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .map(done -> {
          storePath.increment();
          // The longest overridden prefix wins (prefixHits is ordered shortest first).
          Map<String, String> prefix = null;
          for (Future<Map<String, String>> record : prefixRecords) {
            if (record.result().containsKey(NumberRecord.OVERRIDE)) {
              prefix = record.result();
            }
          }
          return calculator.evaluate(e164, own.result(), prefix, range.result(), clock.millis());
        })
        .otherwise(e -> {
          degraded.increment();
          LOG.debug("Lookup of {} degraded: {}", e164, e.toString());
          return Reputation.degraded(e164);
        });
  }
}
