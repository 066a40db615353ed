package org.dunblock.server.protect;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.XAddArgs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dunblock.server.filter.FilterFollowerVerticle;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The register of verified callers in Redis ({@link KeySchema#VERIFIED_CALLERS}), and how every instance's
 * {@link VerifiedCallers} copy follows it.
 *
 * <p>Propagation: a change is written by {@code verified-caller.lua} (register and audit, one slot), then a
 * {@code "V:" + e164} entry goes into the number's shard change stream. Every instance's
 * {@link FilterFollowerVerticle} follows those streams and publishes each entry on {@link
 * FilterFollowerVerticle#CHANGES_ADDRESS}; this class re-reads the register entry of each "V:" entry it sees there, so
 * another instance's copy follows within the follower's latency (milliseconds; at most its blocking read, 500 ms).
 * The writing instance updates its own copy at once. A full reload at start, once the filter has caught up, and at
 * every filter rebuild interval heals anything missed (a change-stream write that failed after the register write,
 * a stream trimmed while an instance was away).
 */
public final class VerifiedCallerStore {
  private static final Logger LOG = LoggerFactory.getLogger(VerifiedCallerStore.class);

  private final ReputationStore store;
  private final VerifiedCallers copy;
  private final NumberFilter filter;
  private final LuaScript script;

  /** Loads the script and the whole register (blocking; construct at start). */
  public VerifiedCallerStore(ReputationStore store, VerifiedCallers copy, NumberFilter filter) {
    this.store = store;
    this.copy = copy;
    this.filter = filter;
    this.script = store.script("verified-caller.lua");
    long mark = copy.beginReload();
    copy.finishReload(mark, parse(store.syncCommands().hgetall(KeySchema.VERIFIED_CALLERS)));
    LOG.info("Register of verified callers loaded: {} numbers", copy.size());
  }

  /** Follows other instances' changes and reloads periodically. Call once, after construction. */
  public void start(Vertx vertx, Duration reloadInterval) {
    vertx.eventBus().<String>localConsumer(FilterFollowerVerticle.CHANGES_ADDRESS, message -> {
      String change = message.body();
      int at = change.lastIndexOf('|');
      if (at >= 0 && change.startsWith(KeySchema.VERIFIED_ENTRY, at + 1)) {
        refresh(change.substring(at + 1 + KeySchema.VERIFIED_ENTRY.length()));
      }
    });
    // Once the filter has caught up with the streams every later change arrives as an entry; a reload then covers
    // the changes between the load at construction and the positions the follower started from.
    filter.whenLoaded(this::reload);
    vertx.setPeriodic(reloadInterval.toMillis(), id -> reload());
  }

  /** A change to apply: an entry to set, or null to remove the number. */
  public record Change(String number, VerifiedCallers.Entry entry) {
  }

  /** Applies the changes (audited, one entry per change); answers each change's outcome, in order. */
  public Future<List<String>> apply(List<Change> changes, String actor, String reason, long nowMs) {
    String[] args = new String[3 + changes.size() * 3];
    args[0] = Long.toString(nowMs);
    args[1] = actor;
    args[2] = reason;
    for (int i = 0; i < changes.size(); i++) {
      Change c = changes.get(i);
      args[3 + i * 3] = c.number();
      args[4 + i * 3] = c.entry() == null ? "" : c.entry().toJson().encode();
      args[5 + i * 3] = c.entry() == null ? "" : c.entry().name();
    }
    String[] keys = {KeySchema.VERIFIED_CALLERS, KeySchema.VERIFIED_CALLER_NUMBERS, KeySchema.VERIFIED_CALLER_AUDIT};
    return store.run(script, keys, args).compose(reply -> {
      List<String> outcomes = new ArrayList<>(reply.size());
      List<Future<String>> published = new ArrayList<>();
      for (int i = 0; i < reply.size(); i++) {
        String outcome = (String) reply.get(i);
        outcomes.add(outcome);
        if (outcome.equals("unchanged") || outcome.equals("absent")) {
          continue;
        }
        Change c = changes.get(i);
        copy.put(c.number(), c.entry());
        String entry = KeySchema.verifiedEntry(c.number());
        filter.add(entry);
        int shard = KeySchema.shardOf(c.number());
        published.add(store.call(redis -> redis.xadd(KeySchema.changes(shard),
            XAddArgs.Builder.maxlen(ReputationStore.CHANGES_MAX_LENGTH).approximateTrimming(),
            Map.of("op", "verified", "n", entry))));
      }
      // The register is written; a failed publish is healed by the next reload on the other instances.
      return Future.all(published).map(outcomes);
    });
  }

  public Future<VerifiedCallers.Entry> get(String e164) {
    return store.call(redis -> redis.hget(KeySchema.VERIFIED_CALLERS, e164))
        .map(json -> json == null ? null : VerifiedCallers.Entry.fromJson(json));
  }

  /** Registered numbers after {@code after} (exclusive; null: from the start), in E.164 text order. */
  public Future<Map<String, VerifiedCallers.Entry>> page(String after, int limit) {
    Range<String> range = after == null ? Range.unbounded()
        : Range.from(Range.Boundary.excluding(after), Range.Boundary.unbounded());
    return store.call(redis -> redis.zrangebylex(KeySchema.VERIFIED_CALLER_NUMBERS, range, Limit.create(0, limit)))
        .compose(numbers -> numbers.isEmpty() ? Future.succeededFuture(Map.<String, VerifiedCallers.Entry>of())
            : store.call(redis -> redis.hmget(KeySchema.VERIFIED_CALLERS, numbers.toArray(String[]::new)))
                .map(values -> {
                  Map<String, VerifiedCallers.Entry> page = new java.util.LinkedHashMap<>();
                  values.forEach(kv -> {
                    if (kv.hasValue()) {
                      page.put(kv.getKey(), VerifiedCallers.Entry.fromJson(kv.getValue()));
                    }
                  });
                  return page;
                }));
  }

  public Future<Long> count() {
    return store.call(redis -> redis.hlen(KeySchema.VERIFIED_CALLERS));
  }

  private void refresh(String e164) {
    get(e164).onComplete(ar -> {
      if (ar.succeeded()) {
        copy.put(e164, ar.result());
      } else {
        LOG.warn("Could not re-read the register entry of {} ({}); the next reload brings it", e164,
            ar.cause().toString());
      }
    });
  }

  private void reload() {
    long mark = copy.beginReload();
    store.call(redis -> redis.hgetall(KeySchema.VERIFIED_CALLERS)).onComplete(ar -> {
      if (ar.succeeded()) {
        copy.finishReload(mark, parse(ar.result()));
      } else {
        LOG.warn("Register of verified callers not reloaded: {}", ar.cause().toString());
      }
    });
  }

  private static Map<String, VerifiedCallers.Entry> parse(Map<String, String> raw) {
    Map<String, VerifiedCallers.Entry> parsed = new HashMap<>(raw.size() * 2);
    raw.forEach((n, json) -> parsed.put(n, VerifiedCallers.Entry.fromJson(json)));
    return parsed;
  }
}
