package org.dunblock.server.pattern;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dunblock.server.config.PatternPolicy;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.reputation.ReporterTrust;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.ReportCommand;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Abuse patterns derived from reports, kept after report.lua has stored one: the per-number windows of
 * CONTACT_HARASSMENT and SILENT calls (patterns.lua writes until when address-book explosion and call-bombing
 * hold), then the number's block of 100 (range.lua counts its BLOCKed members and publishes the block's "R:" filter
 * entry at the threshold). Lookups read what these leave in the number's record and the block record.
 */
public final class Patterns {
  private static final Logger LOG = LoggerFactory.getLogger(Patterns.class);

  private final ReputationStore store;
  private final ReporterTrust trust;
  private final int minCounterNetworks;
  private final NumberFilter filter;
  private final ReputationCalculator calculator;
  private final PatternPolicy policy;
  private final MeterRegistry registry;
  private final LuaScript windows;
  private final LuaScript range;

  /** Loads the scripts (blocking; construct at start). */
  public Patterns(ReputationStore store, NumberFilter filter, ReputationCalculator calculator, PatternPolicy policy,
      MeterRegistry registry, ReporterTrust trust, int minCounterNetworks) {
    this.trust = trust;
    this.minCounterNetworks = minCounterNetworks;
    this.store = store;
    this.filter = filter;
    this.calculator = calculator;
    this.policy = policy;
    this.registry = registry;
    this.windows = store.script("patterns.lua");
    this.range = store.script("range.lua");
  }

  /**
   * Updates the windows and the number's block after a stored report. Never fails: the report is stored whatever
   * happens here; a failure is logged and counted, and costs only the pattern reasons until the next report.
   */
  public Future<Void> afterReport(ReportCommand c) {
    String[] keys = {KeySchema.number(c.number()), KeySchema.windows(c.number()),
        KeySchema.windowVotes(c.number())};
    return store.run(windows, keys, c.reporterHash(), c.networkHash(), c.category().name(),
            Long.toString(c.occurredAtMs()), Long.toString(c.nowMs()), ms(policy.longestWindow()),
            ms(policy.fanOutWindow()), Integer.toString(policy.fanOutMinReporters()),
            Integer.toString(policy.fanOutMinNetworks()), ms(policy.bombingWindow()),
            Integer.toString(policy.bombingMinReporters()), Integer.toString(policy.bombingMinNetworks()))
        .compose(record -> {
          Map<String, String> fields = fields(record);
          return block(c.number(), fields, c.nowMs()).compose(v -> crowdOutcome(c.number(), fields, c.nowMs()));
        })
        .andThen(ar -> registry.counter("dunblock.patterns.updates", "outcome", ar.succeeded() ? "ok" : "failed")
            .increment())
        .recover(e -> {
          LOG.warn("Abuse patterns not updated for a report of {}: {}", c.number(), e.toString());
          return Future.succeededFuture();
        });
  }

  /**
   * A number counts as BLOCK for its block from a report that leaves it BLOCK until the moment its score would
   * decay below the block score with no further report (computed now, to the minute); a later report re-decides.
   */
  private Future<Void> block(String number, Map<String, String> record, long nowMs) {
    String block = KeySchema.rangeBlock(number);
    if (block == null) {
      return Future.succeededFuture();
    }
    String entry = KeySchema.rangeEntry(block);
    int shard = KeySchema.shardOf(entry);
    long until = calculator.blockedUntil(number, record, nowMs);
    String[] keys = {KeySchema.range(block), KeySchema.index(shard), KeySchema.changes(shard)};
    return store.run(range, keys, entry, number, Long.toString(until), Long.toString(nowMs),
            Integer.toString(policy.rangeMinBlocked()), Long.toString(ReputationStore.CHANGES_MAX_LENGTH))
        .map(reply -> {
          if ((Long) reply.get(0) >= policy.rangeMinBlocked()) {
            // Ours at once, before the report is answered; other instances follow the change stream.
            filter.add(entry);
          }
          return null;
        });
  }

  /** The crowd's verdict alone (an override is the operator's, not the crowd's) feeds reporters' trust. */
  private Future<Void> crowdOutcome(String number, Map<String, String> record, long nowMs) {
    Map<String, String> crowd = new HashMap<>(record);
    crowd.keySet().removeIf(k -> k.startsWith(NumberRecord.OVERRIDE));
    return trust.crowdOutcome(number, record, calculator.evaluate(number, crowd, nowMs).verdict(),
        minCounterNetworks);
  }

  private static Map<String, String> fields(List<Object> flat) {
    Map<String, String> map = new HashMap<>(flat.size());
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      map.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return map;
  }

  private static String ms(java.time.Duration d) {
    return Long.toString(d.toMillis());
  }
}
