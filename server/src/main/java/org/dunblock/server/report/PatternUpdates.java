package org.dunblock.server.report;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.Map;
import org.dunblock.server.config.PatternPolicy;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.reputation.ReporterTrust;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Abuse patterns derived from reports, after report.lua has stored one and kept the per-number windows of
 * CONTACT_HARASSMENT and SILENT calls in the same script (it writes until when address-book explosion and
 * call-bombing hold): the number's block of 100 (range.lua counts its BLOCKed members and publishes the block's "R:"
 * filter entry at the threshold; the block has its own hash tag, so this is a second script), and the crowd's
 * outcome for reporter trust. Lookups read what these leave in the number's record and the block record.
 */
public final class PatternUpdates {
  private static final Logger LOG = LoggerFactory.getLogger(PatternUpdates.class);

  private final ReputationStore store;
  private final ReporterTrust trust;
  private final int minCounterNetworks;
  private final NumberFilter filter;
  private final ReputationCalculator calculator;
  private final PatternPolicy policy;
  private final Counter updated;
  private final Counter failed;
  private final LuaScript range;

  /** Loads the script (blocking; construct at start). */
  public PatternUpdates(ReputationStore store, NumberFilter filter, ReputationCalculator calculator, PatternPolicy policy,
      MeterRegistry registry, ReporterTrust trust, int minCounterNetworks) {
    this.trust = trust;
    this.minCounterNetworks = minCounterNetworks;
    this.store = store;
    this.filter = filter;
    this.calculator = calculator;
    this.policy = policy;
    this.updated = registry.counter("dunblock.patterns.updates", "outcome", "ok");
    this.failed = registry.counter("dunblock.patterns.updates", "outcome", "failed");
    this.range = store.script("range.lua");
  }

  /**
   * Updates the number's block and the crowd outcome after a newly stored report, from the record report.lua
   * answered with. Never fails: the report is stored whatever happens here; a failure (here or of the windows in
   * report.lua) is logged and counted, and costs only the pattern reasons until the next report.
   */
  public Future<Void> afterReport(ReportCommand c, ReportOutcome outcome) {
    Future<Void> done = outcome.windowsFailure() != null
        ? Future.failedFuture("pattern windows: " + outcome.windowsFailure())
        : block(c.number(), outcome, c.nowMs()).compose(v -> crowdOutcome(c.number(), outcome.record(), c.nowMs()));
    return done
        .andThen(ar -> (ar.succeeded() ? updated : failed).increment())
        .recover(e -> {
          LOG.warn("Abuse patterns not updated for a report of {}: {}", c.number(), e.toString());
          return Future.succeededFuture();
        });
  }

  /**
   * A number counts as BLOCK for its block from a report that leaves it BLOCK until the moment its score would
   * decay below the block score with no further report (computed now, to the minute); a later report re-decides.
   * The first vote of a record that is not BLOCK after it has nothing to re-decide: the block record can only hold
   * the number from an earlier vote of this record (a record restarted after the retention had its entries expire
   * by then: they reach at most the retention past the vote), so range.lua is skipped.
   */
  private Future<Void> block(String number, ReportOutcome outcome, long nowMs) {
    String block = KeySchema.rangeBlock(number);
    if (block == null) {
      return Future.succeededFuture();
    }
    Map<String, String> record = outcome.record();
    long until = calculator.blockedUntil(number, record, nowMs);
    if (until == 0 && outcome.counted() && NumberRecord.integer(record, NumberRecord.REPORTS) == 1) {
      return Future.succeededFuture();
    }
    String entry = KeySchema.rangeEntry(block);
    int shard = KeySchema.shardOf(entry);
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
}
