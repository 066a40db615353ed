package org.dunblock.server.appeal;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.ReputationStore;
import org.dunblock.server.store.StoreUnavailableException;

/**
 * Appeals in Redis, all under the {@code {appeals}} hash tag (one Cluster slot, so each script is atomic):
 *
 * <pre>
 * dunblock:{appeals}:a:&lt;id&gt;          hash    id, number, contact, reason, status, created, decided, decidedBy, note,
 *                                              statements (n), contact.&lt;i&gt;, reason.&lt;i&gt;, created.&lt;i&gt; for i = 2..n
 * dunblock:{appeals}:open:&lt;e164&gt;      string  the pending appeal about the number (further appeals join it)
 * dunblock:{appeals}:pending           zset    pending appeal id -&gt; created (ms)
 * dunblock:{appeals}:allowed           zset    allowed appeal id -&gt; decided (ms)
 * dunblock:{appeals}:rejected          zset    rejected appeal id -&gt; decided (ms)
 * dunblock:{appeals}:rl:net:&lt;hash&gt;    string  appeals from one client network (keyed hash) in the current hour
 * dunblock:{appeals}:rl:num:&lt;e164&gt;    string  appeals about one number in the current hour
 * </pre>
 *
 * A decided appeal expires {@code appealRetention} after its decision; an undecided one {@code pendingLifetime}
 * after it was filed, with every statement in it. A number has at most one pending appeal: a further appeal about it
 * joins the pending one as another statement (up to {@link #MAX_STATEMENTS}), so junk appeals cannot lock the owner
 * out. Nothing here refers to a reporter; the appellant's network appears only hashed, in a counter that lives one
 * hour.
 */
public final class AppealStore {
  static final long WINDOW_MS = Duration.ofHours(1).toMillis();
  /** The most statements one appeal takes, the first one included. */
  public static final int MAX_STATEMENTS = 20;
  /**
   * How often one filing follows the open-appeal pointer to a newer appeal. The pointer moves only when an appeal is
   * opened, which the number's hourly limit bounds, so a filing that loses this many races in a row is refused.
   */
  static final int MAX_MOVES = 3;

  private final ReputationStore store;
  private final LuaScript create;
  private final LuaScript decide;
  private final LuaScript appealed;
  private final int perHour;
  private final long retentionMs;
  private final long pendingMs;

  /** Loads the scripts (blocking; construct at start). */
  public AppealStore(ReputationStore store, int perHour, Duration retention, Duration pendingLifetime) {
    this.store = store;
    this.create = store.script("appeal-create.lua");
    this.decide = store.script("appeal-decide.lua");
    this.appealed = store.script("appealed.lua");
    this.perHour = perHour;
    this.retentionMs = retention.toMillis();
    this.pendingMs = pendingLifetime.toMillis();
  }

  static String appeal(String id) {
    return KeySchema.appeal(id);
  }

  static String index(AppealStatus status) {
    return KeySchema.appeals(status.wire());
  }

  /** What filing did. */
  public enum Result {
    /** A new appeal, {@code id} the one asked for. */
    OPENED,
    /** Added as a statement to the pending appeal {@code id} about the same number. */
    JOINED,
    /** Refused by a rate limit; {@code retryAfterMs} until it lifts. */
    LIMITED,
    /** The pending appeal {@code id} about the number holds {@link #MAX_STATEMENTS} already. */
    FULL
  }

  /** The outcome of filing: the appeal it concerns ({@code null} when limited) and, when limited, the wait. */
  public record Filed(Result result, String id, long retryAfterMs) {
  }

  /**
   * Files the appeal, or joins the number's pending one. Reads the number's open-appeal pointer first, so that the
   * script is given the key of the appeal it may join; when another filing moved the pointer meanwhile, the script
   * says so and the filing runs again, at most {@link #MAX_MOVES} times.
   */
  public Future<Filed> file(String id, String e164, String contact, String reason, String networkHash, long nowMs) {
    return store.call(redis -> redis.get(KeySchema.openAppeal(e164)))
        .compose(open -> file(id, e164, contact, reason, networkHash, nowMs, open == null ? "" : open, MAX_MOVES));
  }

  Future<Filed> file(String id, String e164, String contact, String reason, String networkHash, long nowMs,
      String open, int movesLeft) {
    String[] keys = {appeal(id), index(AppealStatus.PENDING), KeySchema.appealsFromNetwork(networkHash),
        KeySchema.appealsAboutNumber(e164), KeySchema.openAppeal(e164), appeal(open.isEmpty() ? id : open)};
    return store.run(create, keys, id, e164, contact, reason, Long.toString(nowMs), Integer.toString(perHour),
            Long.toString(WINDOW_MS), Long.toString(pendingMs), Integer.toString(MAX_STATEMENTS), open)
        .compose(reply -> switch ((String) reply.get(0)) {
          case "ok" -> Future.succeededFuture(new Filed(Result.OPENED, (String) reply.get(1), 0));
          case "joined" -> Future.succeededFuture(new Filed(Result.JOINED, (String) reply.get(1), 0));
          case "full" -> Future.succeededFuture(new Filed(Result.FULL, (String) reply.get(1), 0));
          case "moved" -> movesLeft > 0
              ? file(id, e164, contact, reason, networkHash, nowMs, (String) reply.get(1), movesLeft - 1)
              : Future.failedFuture(new StoreUnavailableException(
                  "the open appeal about " + e164 + " kept changing while this one was filed", null));
          default -> Future.succeededFuture(new Filed(Result.LIMITED, null, ((Number) reply.get(1)).longValue()));
        });
  }

  /**
   * What a decision did: "ok" (with the appeal's number and when it was filed), "absent", or "decided" (with the
   * status it has; {@code createdMs} -1).
   */
  public record Decided(String result, String detail, long createdMs) {
  }

  public Future<Decided> decide(String id, AppealStatus to, String actor, String note, long nowMs) {
    String[] keys = {appeal(id), index(AppealStatus.PENDING), index(to)};
    return store.run(decide, keys, to.wire(), actor, note, Long.toString(nowMs), Long.toString(retentionMs),
            Long.toString(pendingMs))
        .map(AppealStore::decided);
  }

  /** Puts a decided appeal back to pending (its decision could not be applied). */
  public Future<Decided> reopen(String id, AppealStatus from, long nowMs) {
    String[] keys = {appeal(id), index(AppealStatus.PENDING), index(from)};
    return store.run(decide, keys, AppealStatus.PENDING.wire(), "", "", Long.toString(nowMs),
            Long.toString(retentionMs), Long.toString(pendingMs))
        .map(AppealStore::decided);
  }

  private static Decided decided(List<Object> reply) {
    long created = reply.size() > 2 && reply.get(2) != null ? Long.parseLong((String) reply.get(2)) : -1;
    return new Decided((String) reply.get(0), (String) reply.get(1), created);
  }

  /**
   * Notes in the number's record (if it has one) when it was first appealed: votes cast since earn no credit from
   * operator decisions. A second script, in the number's slot; a failure there is the caller's to log (the decision
   * still credits only votes cast before the appeal it decides).
   */
  public Future<Void> noteAppealed(String e164, long filedMs) {
    return store.run(appealed, new String[] {KeySchema.number(e164)}, Long.toString(filedMs)).mapEmpty();
  }

  /** The number an appeal is about, if the appeal exists. */
  public Future<Optional<String>> number(String id) {
    return store.call(redis -> redis.hget(appeal(id), "number")).map(Optional::ofNullable);
  }

  /** How many appeals have the status (decided ones within the retention, pending ones within their lifetime). */
  public Future<Long> count(AppealStatus status, long nowMs) {
    return store.call(redis -> redis.zcount(index(status), since(status, nowMs)));
  }

  /** The scores of the index still alive: pending appeals filed within their lifetime; decided ones all. */
  private Range<Double> since(AppealStatus status, long nowMs) {
    return status == AppealStatus.PENDING
        ? Range.create((double) (nowMs - pendingMs), Double.POSITIVE_INFINITY)
        : Range.create(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  /**
   * Up to {@code limit} appeals with the status: pending ones oldest first (the review queue), decided ones newest
   * decision first. Appeals that expired meanwhile are skipped.
   */
  public Future<List<Map<String, String>>> list(AppealStatus status, int limit, long nowMs) {
    Range<Double> all = since(status, nowMs);
    Future<List<String>> ids = status == AppealStatus.PENDING
        ? store.call(redis -> redis.zrangebyscore(index(status), all, Limit.create(0, limit)))
        : store.call(redis -> redis.zrevrangebyscore(index(status), all, Limit.create(0, limit)));
    return ids.compose(list -> {
      List<Future<Map<String, String>>> reads = new ArrayList<>();
      for (String id : list) {
        reads.add(store.call(redis -> redis.hgetall(appeal(id))));
      }
      return Future.all(reads).map(done -> {
        List<Map<String, String>> appeals = new ArrayList<>();
        for (Future<Map<String, String>> read : reads) {
          if (read.result() != null && !read.result().isEmpty()) {
            appeals.add(read.result());
          }
        }
        return appeals;
      });
    });
  }
}
