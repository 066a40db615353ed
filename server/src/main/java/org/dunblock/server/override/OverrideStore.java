package org.dunblock.server.override;

import io.vertx.core.Future;
import java.time.Duration;
import org.dunblock.server.reputation.ReporterTrust;
import org.dunblock.server.reputation.Verdict;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.ReputationStore;

/**
 * Operator overrides of single numbers, applied by {@code override.lua} atomically with the index, the change
 * stream (so every instance's filter sees the number) and the audit stream.
 */
public final class OverrideStore {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OverrideStore.class);

  private final ReputationStore store;
  private final ReporterTrust trust;
  private final LuaScript script;
  private final long retentionMs;
  private final java.util.function.Predicate<String> allowedWithoutOverride;

  /**
   * @param allowedWithoutOverride numbers that answer ALLOW without an override whatever the crowd says (emergency
   *     numbers): clearing their override tells app filter feeds to drop them
   */
  public OverrideStore(ReputationStore store, Duration retention, ReporterTrust trust,
      java.util.function.Predicate<String> allowedWithoutOverride) {
    this.allowedWithoutOverride = allowedWithoutOverride;
    this.trust = trust;
    this.store = store;
    this.script = store.script("override.lua");
    this.retentionMs = retention.toMillis();
  }

  /**
   * What happened: "set", "cleared", "absent" (nothing to clear) or "admin_decision" (an appeal's ALLOW refused
   * over an admin's BLOCK; nothing changed), and the verdict overridden before.
   */
  public record Outcome(String result, String previous) {
    public boolean adminDecision() {
      return "admin_decision".equals(result);
    }
  }

  /**
   * Sets the override; for a single number, the reporters whose votes the decision confirms or overturns then gain
   * or lose trust (a failure there is logged, never undoes the override). Confirmations credit votes cast before
   * now only.
   */
  public Future<Outcome> set(String e164, Verdict verdict, String reason, String actor, long nowMs) {
    return set(e164, verdict, reason, actor, nowMs, nowMs);
  }

  /**
   * As {@link #set(String, Verdict, String, String, long)}, crediting only votes cast before {@code creditBeforeMs}
   * (an allowed appeal: its filing time, so votes gathered while it waited earn nothing; ReporterTrust.decided).
   */
  public Future<Outcome> set(String e164, Verdict verdict, String reason, String actor, long nowMs,
      long creditBeforeMs) {
    return set(e164, verdict, reason, actor, nowMs, creditBeforeMs, "admin", false);
  }

  /**
   * An ALLOW override from an allowed appeal. Unless {@code byAdmin}, an admin's BLOCK override on the number stays
   * and the outcome says {@link Outcome#adminDecision()} (checked atomically in the script).
   */
  public Future<Outcome> allowByAppeal(String e164, String reason, String actor, long nowMs, long creditBeforeMs,
      boolean byAdmin) {
    return set(e164, Verdict.ALLOW, reason, actor, nowMs, creditBeforeMs, "appeal", !byAdmin);
  }

  private Future<Outcome> set(String e164, Verdict verdict, String reason, String actor, long nowMs,
      long creditBeforeMs, String source, boolean keepAdminBlock) {
    return apply(e164, verdict.name(), reason, actor, nowMs, source, keepAdminBlock).compose(outcome ->
        KeySchema.isPrefixEntry(e164) || outcome.adminDecision()
        ? Future.succeededFuture(outcome)
        : trust.decided(e164, verdict, creditBeforeMs).map(outcome).recover(e -> {
          LOG.warn("Trust update after the override of {} failed: {}", e164, e.toString());
          return Future.succeededFuture(outcome);
        }));
  }

  public Future<Outcome> clear(String e164, String reason, String actor, long nowMs) {
    return apply(e164, "", reason, actor, nowMs, "admin", false);
  }

  private Future<Outcome> apply(String e164, String verdict, String reason, String actor, long nowMs, String source,
      boolean keepAdminBlock) {
    int shard = KeySchema.shardOf(e164);
    String[] keys = {KeySchema.number(e164), KeySchema.index(shard), KeySchema.changes(shard),
        KeySchema.audit(shard)};
    return store.run(script, keys, e164, verdict, reason, actor, Long.toString(nowMs), Long.toString(retentionMs),
            Long.toString(ReputationStore.CHANGES_MAX_LENGTH), KeySchema.PINNED_INDEX_SCORE_TEXT, source,
            keepAdminBlock ? "1" : "0", allowedWithoutOverride.test(e164) ? "1" : "0")
        .map(reply -> new Outcome((String) reply.get(0), (String) reply.get(1)));
  }
}
