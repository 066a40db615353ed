package org.dunblock.server.report;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dunblock.server.config.PatternPolicy;
import org.dunblock.server.config.ScoringPolicy;
import org.dunblock.server.filter.FilterFollowerVerticle;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.ReputationStore;

/**
 * Reports in Redis: {@code report.lua} stores a vote, its call-log entry and, for a reported call, the number's
 * abuse-pattern windows, atomically in the number's slot (the script's header lists its keys and arguments).
 * Used by crowd reports ({@link ReportService}) and bulk imports alike.
 */
public final class ReportStore {
  private final ReputationStore store;
  private final LuaScript script;
  private final ScoringPolicy scoring;
  private final PatternPolicy patterns;
  private final long idempotencyTtlMs;
  private final long retentionMs;
  private final java.util.function.Predicate<String> neverForApps;

  /**
   * @param neverForApps numbers whose lookup answers ALLOW whatever the crowd reports (emergency numbers, DESIGN.md
   *     rule 9): their reports still reach every instance's filter, but app filter feeds are told to leave them out
   *     (the change entry's feed flag is "rm"), so apps neither ask about them nor mark them as listed
   */
  public ReportStore(ReputationStore store, ScoringPolicy scoring, PatternPolicy patterns, Duration idempotencyTtl,
      Duration retention, java.util.function.Predicate<String> neverForApps) {
    this.neverForApps = neverForApps;
    this.store = store;
    this.script = store.script("report.lua");
    this.scoring = scoring;
    this.patterns = patterns;
    this.idempotencyTtlMs = idempotencyTtl.toMillis();
    this.retentionMs = retention.toMillis();
  }

  /**
   * How report.lua may write: {@code STORE} stores the report; {@code REPLAY} only answers a stored Idempotency-Key
   * (the reporter's quota is spent: a retry is answered, a new vote never stored); {@code REVOTE} stores the report
   * only if it replaces the reporter's existing vote on the number (the network's daily budget is spent, and it is
   * charged for new votes only). When the mode refuses, nothing is written and the outcome is {@link
   * ReportOutcome#limited()}.
   */
  public enum Mode {
    STORE(""), REPLAY("replay"), REVOTE("revote");

    final String wire;

    Mode(String wire) {
      this.wire = wire;
    }
  }

  /**
   * Stores a report. For a reported call ({@link ReportCommand#reportedCall()}) the same script then keeps the
   * number's abuse-pattern windows (the configured {@link PatternPolicy}) and answers with the number's record, one
   * round trip for both.
   */
  public Future<ReportOutcome> store(ReportCommand c) {
    return store(c, Mode.STORE);
  }

  /** Stores a report as {@code mode} allows, atomically with the check (see {@link Mode}). */
  public Future<ReportOutcome> store(ReportCommand c, Mode mode) {
    String[] keys = {
        KeySchema.number(c.number()), KeySchema.votes(c.number()), KeySchema.networks(c.number()),
        KeySchema.idempotency(c.number(), c.idempotencyKeyHash() == null ? "none" : c.idempotencyKeyHash()),
        KeySchema.index(KeySchema.shardOf(c.number())), KeySchema.changes(KeySchema.shardOf(c.number())),
        KeySchema.reports(KeySchema.shardOf(c.number())), KeySchema.numberLog(c.number()),
        KeySchema.voteTimes(c.number()), KeySchema.windows(c.number()), KeySchema.windowVotes(c.number())};
    List<String> args = new ArrayList<>(30);
    Collections.addAll(args,
        c.number(), c.reporterHash(), c.networkHash(), c.category().name(), c.category().negative() ? "1" : "0",
        Long.toString(c.occurredAtMs()), Long.toString(c.nowMs()),
        Long.toString(scoring.halfLife().toMillis()),
        c.idempotencyKeyHash() == null ? "0" : Long.toString(idempotencyTtlMs),
        c.fingerprint(), c.reportId(), Long.toString(retentionMs),
        Long.toString(ReputationStore.CHANGES_MAX_LENGTH), c.platform() == null ? "" : c.platform(),
        c.note() == null ? "" : c.note(),
        KeySchema.PINNED_INDEX_SCORE_TEXT,
        Long.toString(scoring.maxReportAge().toMillis()), weight(c.weight()), c.reportedCall() ? "0" : "1",
        weight(c.quorumWeight()), mode.wire, c.seasoned() ? "1" : "0",
        neverForApps.test(c.number()) ? FilterFollowerVerticle.FEED_REMOVE : FilterFollowerVerticle.FEED_ADD);
    if (c.reportedCall()) {
      Collections.addAll(args, ms(patterns.longestWindow()),
          ms(patterns.fanOutWindow()), Integer.toString(patterns.fanOutMinReporters()),
          Integer.toString(patterns.fanOutMinNetworks()), ms(patterns.bombingWindow()),
          Integer.toString(patterns.bombingMinReporters()), Integer.toString(patterns.bombingMinNetworks()));
    }
    return store.run(script, keys, args.toArray(String[]::new)).map(reply -> {
      String status = (String) reply.get(0);
      if ("limited".equals(status)) {
        return ReportOutcome.LIMITED;
      }
      if ("replay".equals(status)) {
        // stored as fingerprint|reportId|counted
        String[] parts = ((String) reply.get(1)).split("\\|", 3);
        return new ReportOutcome(parts[1], "1".equals(parts[2]), true, parts[0]);
      }
      String reportId = (String) reply.get(1);
      boolean counted = "1".equals(reply.get(2));
      if (reply.size() < 4) {
        return new ReportOutcome(reportId, counted, false, c.fingerprint());
      }
      String failure = (String) reply.get(3);
      if (!failure.isEmpty()) {
        return new ReportOutcome(reportId, counted, false, c.fingerprint(), null, failure);
      }
      Map<String, String> record = new HashMap<>(reply.size());
      for (int i = 4; i + 1 < reply.size(); i += 2) {
        record.put((String) reply.get(i), (String) reply.get(i + 1));
      }
      return new ReportOutcome(reportId, counted, false, c.fingerprint(), record, null);
    });
  }

  private static String ms(Duration d) {
    return Long.toString(d.toMillis());
  }

  /** A vote weight as report.lua stores it: "1" for crowd votes, else the shortest exact decimal. */
  static String weight(double weight) {
    return weight == 1.0 ? "1" : java.math.BigDecimal.valueOf(weight).stripTrailingZeros().toPlainString();
  }
}
