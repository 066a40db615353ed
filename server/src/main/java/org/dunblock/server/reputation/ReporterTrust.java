package org.dunblock.server.reputation;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
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
 * <p>Admission also weighs the reporter's maturity (DESIGN.md rule 4, {@link ScoringPolicy#maturity}): the age of its
 * token, from the mint time the token carries under the server's HMAC, or, for tokens of the old format that carry
 * none, from the first time the server saw the token (kept here, by reporter hash; docs/trust.md, "old tokens"). A
 * reporter an operator decision confirmed is established whatever its age. Maturity never grows with agreement with
 * the crowd: sleeper tokens would farm it.
 *
 * <pre>
 * dunblock:{r:&lt;reporter hash&gt;}:trust   hash    t = trust, a = agreed, o = overturned,
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
   * Counts a report against the reporter's daily quota and its network's daily budget (a RateLimitedException when either
   * is spent, with the later of the two retry times) and returns what its vote weighs. The quota counter carries the reporter's
   * hash tag, so one script counts it and reads trust, operator confirmations and (old-format tokens) first-seen
   * time; the network's counter lives in another cluster slot and is a second script, sent at once on the same
   * connection (pipelined: one round trip's wait, not two). Refused attempts count against both, like retries.
   *
   * @param mintedAtMs the token's mint time, or {@code ReporterTokens.NO_MINT_TIME} for an old-format token
   */
  public Future<Admission> admit(String reporterHash, long mintedAtMs, String networkHash,
      CallerVerification verification, long nowMs, int perDay) {
    boolean legacy = mintedAtMs < 0;
    Future<List<String>> own = limiter.acquireAndRead("reports", KeySchema.reporterTag(reporterHash), perDay, DAY,
        KeySchema.reporterTrust(reporterHash), legacy ? Map.entry(FIRST_SEEN, Long.toString(nowMs)) : null, retention,
        "t", "a", FIRST_SEEN);
    Future<Long> network = limiter.acquire("network-reports", networkHash, reportsPerNetworkPerDay, DAY);
    return Future.join(own, network).transform(ar -> {
      if (own.failed() || network.failed()) {
        return Future.failedFuture(own.failed() && network.failed() ? later(own.cause(), network.cause())
            : own.failed() ? own.cause() : network.cause());
      }
      List<String> t = own.result();
      double trust = t.get(0) == null ? 1.0 : Math.max(MIN, Math.min(MAX, Double.parseDouble(t.get(0))));
      boolean confirmed = t.get(1) != null && Long.parseLong(t.get(1)) > 0;
      long since = legacy ? (t.get(2) == null ? nowMs : Long.parseLong(t.get(2))) : mintedAtMs;
      double quorum = (confirmed ? 1.0 : policy.maturity(nowMs - since)) * verification.weight(policy);
      return Future.succeededFuture(new Admission(trust * quorum, quorum));
    });
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
