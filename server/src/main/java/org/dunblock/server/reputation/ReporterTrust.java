package org.dunblock.server.reputation;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.RateLimiter;
import org.dunblock.server.store.ReputationStore;

/**
 * How much a reporter's word weighs. Every reporter starts at 1; new votes carry the reporter's trust as their
 * weight, and a vote keeps the weight it was cast with, so a later change never rewrites the past.
 *
 * <p>What moves it:
 * <ul>
 *   <li>an operator's decision on a number (an override, or an allowed appeal): reporters whose vote it confirms gain
 *       {@link #AGREED}, those it overturns lose {@link #OVERTURNED}; once per number and direction, so re-saving an
 *       override or a second allowed appeal changes nothing;</li>
 *   <li>the crowd overturning a block: when a number the crowd had blocked falls to ALLOW under counter-votes from at
 *       least as many networks as a block needs, its negative voters lose {@link #OVERTURNED}, once per number. The
 *       crowd never rewards, so trust cannot be farmed by blocking and unblocking numbers.</li>
 * </ul>
 * Trust stays within [{@link #MIN}, {@link #MAX}]; MIN is high enough that five reporters on five networks still
 * block ({@code ScoringPolicy} checks it), MAX low enough that one network stays one voice.
 *
 * <pre>
 * dunblock:{r:&lt;reporter hash&gt;}:trust   hash    t = trust, a = agreed, o = overturned
 * </pre>
 */
public final class ReporterTrust {
  public static final double MIN = org.dunblock.server.config.ScoringPolicy.MIN_TRUST;
  public static final double MAX = 1.5;
  public static final double AGREED = 0.1;
  public static final double OVERTURNED = -0.25;
  private static final Duration DAY = Duration.ofDays(1);

  private final ReputationStore store;
  private final RateLimiter limiter;
  private final LuaScript trust;
  private final LuaScript consensus;
  private final long expiryMs;

  /** Loads the scripts (blocking; construct at start). */
  public ReporterTrust(ReputationStore store, RateLimiter limiter, Duration retention) {
    this.store = store;
    this.limiter = limiter;
    this.trust = store.script("trust.lua");
    this.consensus = store.script("consensus.lua");
    this.expiryMs = retention.toMillis();
  }


  /**
   * Counts a report against the reporter's daily quota (a RateLimitedException when spent) and returns the reporter's weight (1 for
   * an unknown reporter): one script, as the quota counter carries the reporter's hash tag.
   */
  public Future<Admission> admit(String reporterHash, int perDay) {
    return limiter.acquireAndRead("reports", KeySchema.reporterTag(reporterHash), perDay, DAY,
            KeySchema.reporterTrust(reporterHash), "t")
        .map(t -> new Admission(t == null ? 1.0 : Math.max(MIN, Math.min(MAX, Double.parseDouble(t)))));
  }

  /**
   * After a report: if the crowd had blocked this number ({@code tc} = BLOCK, set the first time the crowd verdict
   * is BLOCK) and counter-votes from at least {@code minNetworks} networks have now brought it to ALLOW, its negative
   * voters were overturned. Final once done; nothing here ever rewards. Skipped while an operator override stands.
   */
  public Future<Void> crowdOutcome(String e164, Map<String, String> record, Verdict crowdVerdict, int minNetworks) {
    if (record.containsKey(NumberRecord.OVERRIDE)) {
      return Future.succeededFuture();
    }
    String settled = record.getOrDefault(NumberRecord.CROWD_OUTCOME, "");
    if (crowdVerdict == Verdict.BLOCK && settled.isEmpty()) {
      return move(e164, NumberRecord.CROWD_OUTCOME, "", "BLOCK").mapEmpty();
    }
    if (crowdVerdict == Verdict.ALLOW && settled.equals("BLOCK")
        && Long.parseLong(record.getOrDefault(NumberRecord.LEGITIMATE_NETWORKS, "0")) >= minNetworks) {
      return move(e164, NumberRecord.CROWD_OUTCOME, "BLOCK", "ALLOW").compose(moved -> moved ? judge(e164, Verdict.ALLOW, false)
          : Future.succeededFuture());
    }
    return Future.succeededFuture();
  }

  private Future<Boolean> move(String e164, String field, String from, String to) {
    return store.run(consensus, new String[] {KeySchema.number(e164)}, field, from, to)
        .map(reply -> (Long) reply.get(0) == 1L);
  }

  /**
   * An operator decided {@code e164}: every active crowd vote on it agreed or was overturned, once per number and
   * direction. Import sources ("source:...") are weighted by their operator, not by trust, and are left alone.
   */
  public Future<Void> decided(String e164, Verdict decision) {
    return move(e164, NumberRecord.TRUST_JUDGED, "*", decision.name())
        .compose(moved -> moved ? judge(e164, decision, true) : Future.succeededFuture());
  }

  /** Moves the trust of the number's active voters; {@code reward} false only takes from the overturned. */
  private Future<Void> judge(String e164, Verdict decision, boolean reward) {
    return store.call(redis -> redis.hgetall(KeySchema.votes(e164))).compose(votes -> {
      List<Future<?>> moves = new ArrayList<>();
      for (Map.Entry<String, String> vote : votes.entrySet()) {
        if (vote.getKey().startsWith("source:") || vote.getValue().endsWith("|x")) {
          continue;
        }
        boolean legitimate = vote.getValue().startsWith(Category.LEGITIMATE.name() + "|");
        boolean agreed = (decision == Verdict.ALLOW) == legitimate;
        if (agreed && !reward) {
          continue;
        }
        moves.add(store.run(trust, new String[] {KeySchema.reporterTrust(vote.getKey())},
            Double.toString(agreed ? AGREED : OVERTURNED), Double.toString(MIN), Double.toString(MAX),
            Long.toString(expiryMs)));
      }
      return Future.all(moves).mapEmpty();
    });
  }
}
