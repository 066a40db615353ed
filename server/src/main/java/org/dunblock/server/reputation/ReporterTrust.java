package org.dunblock.server.reputation;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dunblock.server.config.ScoringPolicy;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.RateLimitedException;
import org.dunblock.server.store.RateLimiter;
import org.dunblock.server.store.ReputationStore;

/**
 * How much a reporter's word weighs. Every reporter starts at 1; new votes carry the reporter's trust as their
 * weight, and a vote keeps the weight it was cast with, so a later change never rewrites the past.
 *
 * <p>What moves it:
 * <ul>
 *   <li>an operator's decision on a number (an override, or an allowed appeal): reporters whose vote it overturns
 *       lose {@link #OVERTURNED}; those it confirms gain {@link #AGREED} and one confirmation, which shortens their
 *       maturity ramp by a day ({@link ScoringPolicy#maturity(long, long)}), but only for votes cast before the
 *       number was appealed and before the decision's appeal was filed, by reporters past their first day, one per
 *       network ({@link #decided}); once per number and direction, so re-saving an override or a second allowed
 *       appeal changes nothing;</li>
 *   <li>the crowd overturning a block: when a number the crowd had blocked falls to ALLOW under counter-votes from at
 *       least as many networks as a block needs, its negative voters lose {@link #OVERTURNED}, once per number. The
 *       crowd never rewards, so trust cannot be farmed by blocking and unblocking numbers.</li>
 * </ul>
 * Trust stays within [{@link #MIN}, {@link #MAX}]; MIN is high enough that five reporters on five networks still
 * block ({@code ScoringPolicy} checks it), MAX low enough that one network stays one voice.
 *
 * <p>Admission also weighs the reporter's maturity (DESIGN.md rule 4, {@link ScoringPolicy#maturity}): the age of its
 * token, from the mint time the token carries under the server's HMAC, or, for tokens of the old format that carry
 * none, from the first time the server saw the token (kept here, by reporter hash; docs/trust.md, "old tokens"). Each
 * operator confirmation counts as a day of age (at most three, never within the first day). Maturity never grows
 * with agreement with the crowd: sleeper tokens would farm it.
 *
 * <pre>
 * dunblock:{r:&lt;reporter hash&gt;}:trust   hash    t = trust, a = confirmations (agreed), o = overturned,
 *                                           f = first seen (ms; old-format tokens only)
 * </pre>
 */
public final class ReporterTrust {
  public static final double MIN = org.dunblock.server.config.ScoringPolicy.MIN_TRUST;
  public static final double MAX = 1.5;
  public static final double AGREED = 0.1;
  public static final double OVERTURNED = -0.25;
  private static final Duration DAY = Duration.ofDays(1);
  /** The trust hash's field for when an old-format token was first seen. */
  static final String FIRST_SEEN = "f";
  /** The network budget's counter name (rate.lua). */
  private static final String NETWORK_BUDGET = "network-reports";

  private final ReputationStore store;
  private final RateLimiter limiter;
  private final LuaScript trust;
  private final LuaScript consensus;
  private final long expiryMs;
  private final Duration retention;
  private final ScoringPolicy policy;
  private final int reportsPerNetworkPerDay;

  /** Loads the scripts (blocking; construct at start). */
  public ReporterTrust(ReputationStore store, RateLimiter limiter, Duration retention, ScoringPolicy policy,
      int reportsPerNetworkPerDay) {
    this.store = store;
    this.limiter = limiter;
    this.retention = retention;
    this.policy = policy;
    this.reportsPerNetworkPerDay = reportsPerNetworkPerDay;
    this.trust = store.script("trust.lua");
    this.consensus = store.script("consensus.lua");
    this.expiryMs = retention.toMillis();
  }


  /**
   * Counts a report against the reporter's daily quota (a RateLimitedException when it is spent, with the later of the
   * two retry times when the network's budget is spent too) and returns what its vote weighs, and whether its
   * network's daily budget still has room for a new vote. The quota counter carries the reporter's hash tag, so one
   * script counts it and reads trust, operator confirmations and (old-format tokens) first-seen time; the network's
   * counter lives in another cluster slot and is a second script, sent at once on the same connection (pipelined:
   * one round trip's wait, not two). The network's budget is only checked here: it is charged by {@link
   * #chargeNetwork} once the store says the report was a new vote, so re-reports and replays never spend it (one
   * user cannot silence a shared network by repeating one report).
   *
   * @param mintedAtMs the token's mint time, or {@code ReporterTokens.NO_MINT_TIME} for an old-format token
   */
  public Future<Admission> admit(String reporterHash, long mintedAtMs, String networkHash,
      CallerVerification verification, long nowMs, int perDay) {
    boolean legacy = mintedAtMs < 0;
    Future<List<String>> own = limiter.acquireAndRead("reports", KeySchema.reporterTag(reporterHash), perDay, DAY,
        KeySchema.reporterTrust(reporterHash), legacy ? Map.entry(FIRST_SEEN, Long.toString(nowMs)) : null, retention,
        "t", "a", FIRST_SEEN);
    Future<Long> network = limiter.peek(NETWORK_BUDGET, networkHash, reportsPerNetworkPerDay, DAY);
    return Future.join(own, network).transform(ar -> {
      boolean networkSpent = network.failed() && network.cause() instanceof RateLimitedException;
      if (own.failed()) {
        return Future.failedFuture(networkSpent ? later(own.cause(), network.cause()) : own.cause());
      }
      if (network.failed() && !networkSpent) {
        return Future.failedFuture(network.cause());
      }
      List<String> t = own.result();
      double trust = t.get(0) == null ? 1.0 : Math.max(MIN, Math.min(MAX, Double.parseDouble(t.get(0))));
      long confirmations = t.get(1) == null ? 0 : Long.parseLong(t.get(1));
      long since = legacy ? (t.get(2) == null ? nowMs : Long.parseLong(t.get(2))) : mintedAtMs;
      long age = nowMs - since;
      double quorum = policy.maturity(age, confirmations) * verification.weight(policy);
      return Future.succeededFuture(new Admission(trust * quorum, quorum, age >= ScoringPolicy.FRESH_PERIOD.toMillis(),
          networkSpent ? (RateLimitedException) network.cause() : null));
    });
  }

  /**
   * Charges a new vote to its network's daily budget (after the store counted it). Not awaited by the answer: a
   * charge still in flight when the next report's check runs lets concurrent new votes overshoot the budget by the
   * number in flight, never more; sequential reports see every earlier charge (same connection, in order).
   */
  public Future<Long> chargeNetwork(String networkHash) {
    return limiter.charge(NETWORK_BUDGET, networkHash, reportsPerNetworkPerDay, DAY);
  }

  /** Of two refusals, the one that lasts longer (its Retry-After is the one worth waiting for). */
  private static Throwable later(Throwable a, Throwable b) {
    if (a instanceof RateLimitedException x && b instanceof RateLimitedException y) {
      return x.retryAfterSeconds() >= y.retryAfterSeconds() ? x : y;
    }
    return a;
  }

  /**
   * After a report: if the crowd had blocked this number ({@code tc} = BLOCK, set the first time the crowd verdict
   * is BLOCK) and counter-votes from at least {@code minNetworks} networks, counted by weight (fresh tokens count a
   * fraction, as in the BLOCK quorum), have now brought it to ALLOW, its negative
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
        && NumberRecord.weightedLegitimateNetworks(record) + ScoringPolicy.QUORUM_EPSILON >= minNetworks) {
      return move(e164, NumberRecord.CROWD_OUTCOME, "BLOCK", "ALLOW").compose(moved -> moved ? judge(e164, Verdict.ALLOW, -1)
          : Future.succeededFuture());
    }
    return Future.succeededFuture();
  }

  private Future<Boolean> move(String e164, String field, String from, String to) {
    return store.run(consensus, new String[] {KeySchema.number(e164)}, field, from, to)
        .map(reply -> (Long) reply.get(0) == 1L);
  }

  /**
   * An operator decided {@code e164}: every active crowd vote on it that the decision overturns loses trust; the
   * votes it confirms gain, within the limits that keep a decision from being farmed (docs/trust.md, "operator
   * confirmations"): only votes cast before {@code creditBeforeMs} (the appeal's filing time when an appeal is decided,
   * else the decision's time) and before the number was first appealed, by a reporter already past its first day
   * when it cast the vote, and one reporter per network (the earliest such vote there). Once per number and
   * direction. Import sources ("source:...") are weighted by their operator, not by trust, and are left alone.
   */
  public Future<Void> decided(String e164, Verdict decision, long creditBeforeMs) {
    return move(e164, NumberRecord.TRUST_JUDGED, "*", decision.name())
        .compose(moved -> moved ? judge(e164, decision, creditBeforeMs) : Future.succeededFuture());
  }

  /** Moves the trust of the number's active voters; {@code creditBeforeMs} &lt; 0 only takes from the overturned. */
  private Future<Void> judge(String e164, Verdict decision, long creditBeforeMs) {
    Future<Map<String, String>> votes = store.call(redis -> redis.hgetall(KeySchema.votes(e164)));
    Future<String> appealed = creditBeforeMs < 0 ? Future.succeededFuture(null)
        : store.call(redis -> redis.hget(KeySchema.number(e164), NumberRecord.FIRST_APPEALED));
    return Future.all(votes, appealed).compose(read -> {
      long cutoff = appealed.result() == null ? creditBeforeMs
          : Math.min(creditBeforeMs, Long.parseLong(appealed.result()));
      List<Future<?>> moves = new ArrayList<>();
      Map<String, Vote> creditedPerNetwork = new HashMap<>();
      for (Map.Entry<String, String> entry : votes.result().entrySet()) {
        Vote vote = Vote.parse(entry.getKey(), entry.getValue());
        if (vote.reporter().startsWith("source:") || vote.expired()) {
          continue;
        }
        boolean agreed = (decision == Verdict.ALLOW) == vote.legitimate();
        if (!agreed) {
          moves.add(step(vote.reporter(), OVERTURNED));
        } else if (vote.seasoned() && vote.castMs() >= 0 && vote.castMs() <= cutoff) {
          creditedPerNetwork.merge(vote.network(), vote, (a, b) -> b.castMs() < a.castMs() ? b : a);
        }
      }
      for (Vote vote : creditedPerNetwork.values()) {
        moves.add(step(vote.reporter(), AGREED));
      }
      return Future.all(moves).mapEmpty();
    });
  }

  private Future<?> step(String reporterHash, double step) {
    return store.run(trust, new String[] {KeySchema.reporterTrust(reporterHash)}, Double.toString(step),
        Double.toString(MIN), Double.toString(MAX), Long.toString(expiryMs));
  }

  /**
   * The parts of a vote record (report.lua's header) that trust needs. Records written before cast times have none
   * ({@code castMs} -1) and earn no credit.
   */
  record Vote(String reporter, boolean legitimate, String network, long castMs, boolean seasoned, boolean expired) {
    static Vote parse(String reporter, String record) {
      String[] p = record.split("\\|", -1);
      boolean expired = p[p.length - 1].equals("x");
      long cast = -1;
      if (p.length > 6 && !p[6].isEmpty() && !p[6].equals("x")) {
        try {
          cast = Long.parseLong(p[6]);
        } catch (NumberFormatException e) {
          cast = -1;
        }
      }
      return new Vote(reporter, p[0].equals(Category.LEGITIMATE.name()), p.length > 2 ? p[2] : "", cast,
          p.length > 7 && p[7].equals("1"), expired);
    }
  }
}
