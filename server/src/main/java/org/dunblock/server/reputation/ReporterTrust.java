package org.dunblock.server.reputation;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.RateLimiter;
import org.dunblock.server.store.ReputationStore;

/**
 * How much a reporter's word weighs. Every reporter starts at 1. When an operator decides a number (an override, or
 * an appeal allowed), reporters whose vote agreed with the decision gain {@link #AGREED}, those it overturns lose
 * {@link #OVERTURNED}; trust stays within [{@link #MIN}, {@link #MAX}] and new votes carry it as their weight.
 * A vote keeps the weight it was cast with, so a later change never rewrites the past.
 *
 * <pre>
 * dunblock:{r:&lt;reporter hash&gt;}:trust   hash    t = trust, a = agreed, o = overturned
 * dunblock:{r:&lt;reporter hash&gt;}:quota   string  reports in the current day; expires with it
 * </pre>
 */
public final class ReporterTrust {
  public static final double MIN = 0.25;
  public static final double MAX = 2.0;
  public static final double AGREED = 0.1;
  public static final double OVERTURNED = -0.25;
  private static final Duration DAY = Duration.ofDays(1);

  private final ReputationStore store;
  private final LuaScript gate;
  private final LuaScript trust;
  private final LuaScript consensus;
  private final long expiryMs;

  /** Loads the scripts (blocking; construct at start). */
  public ReporterTrust(ReputationStore store, Duration retention) {
    this.store = store;
    this.gate = store.script("reporter-gate.lua");
    this.trust = store.script("trust.lua");
    this.consensus = store.script("consensus.lua");
    this.expiryMs = retention.toMillis();
  }

  static String tag(String reporterHash) {
    return KeySchema.PREFIX + "{r:" + reporterHash + "}:";
  }

  /** Counts a report against the reporter's daily quota (429 when spent) and returns the reporter's weight. */
  public Future<Double> admit(String reporterHash, int perDay) {
    String[] keys = {tag(reporterHash) + "quota", tag(reporterHash) + "trust"};
    return store.run(gate, keys, Integer.toString(perDay), Long.toString(DAY.toMillis())).compose(reply -> {
      if ("limited".equals(reply.get(0))) {
        long ms = (Long) reply.get(1);
        return Future.failedFuture(new RateLimiter.RateLimitedException("reports", Math.max(1, (ms + 999) / 1000)));
      }
      return Future.succeededFuture(Math.max(MIN, Math.min(MAX, Double.parseDouble((String) reply.get(1)))));
    });
  }

  /**
   * The crowd's own outcome as a decision: when a number first reaches BLOCK by the crowd, its negative voters agreed
   * with the consensus (and its LEGITIMATE voters were overturned); when counter-votes from at least
   * {@code minCounterReporters} reporters later bring that number down to ALLOW, the reverse. Each move happens once
   * per number ({@code consensus.lua}), on whichever instance sees it first.
   */
  public Future<Void> crowdOutcome(String e164, Map<String, String> record, Verdict crowdVerdict,
      int minCounterReporters) {
    String settled = record.getOrDefault("tc", "");
    String from;
    Verdict to;
    if (crowdVerdict == Verdict.BLOCK && !settled.equals("BLOCK")) {
      from = settled;
      to = Verdict.BLOCK;
    } else if (settled.equals("BLOCK") && crowdVerdict == Verdict.ALLOW
        && Long.parseLong(record.getOrDefault("legr", "0")) >= minCounterReporters) {
      from = settled;
      to = Verdict.ALLOW;
    } else {
      return Future.succeededFuture();
    }
    return store.run(consensus, new String[] {KeySchema.number(e164)}, from, to.name())
        .compose(moved -> (Long) moved.get(0) == 1L ? decided(e164, to) : Future.succeededFuture());
  }

  /** The reporter's current trust (1 for an unknown reporter). */
  public Future<Double> of(String reporterHash) {
    return store.call(redis -> redis.hget(tag(reporterHash) + "trust", "t"))
        .map(t -> t == null ? 1.0 : Double.parseDouble(t));
  }

  /**
   * An operator decided {@code e164}: every active crowd vote on it agreed or was overturned. Import sources
   * ("source:...") are weighted by their operator, not by trust, and are left alone.
   */
  public Future<Void> decided(String e164, Verdict decision) {
    return store.call(redis -> redis.hgetall(KeySchema.votes(e164))).compose(votes -> {
      List<Future<?>> moves = new ArrayList<>();
      for (Map.Entry<String, String> vote : votes.entrySet()) {
        if (vote.getKey().startsWith("source:") || vote.getValue().endsWith("|x")) {
          continue;
        }
        boolean legitimate = vote.getValue().startsWith(Category.LEGITIMATE.name() + "|");
        boolean agreed = (decision == Verdict.ALLOW) == legitimate;
        moves.add(store.run(trust, new String[] {tag(vote.getKey()) + "trust"},
            Double.toString(agreed ? AGREED : OVERTURNED), Double.toString(MIN), Double.toString(MAX),
            Long.toString(expiryMs)));
      }
      return Future.all(moves).mapEmpty();
    });
  }
}
