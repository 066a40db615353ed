package org.dunblock.server.store;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fixed-window limits kept in Redis ({@code rate.lua}), shared by every instance: reporter tokens per network per
 * day, reports per reporter per day, reports per network per day. Keys carry no hash tag, so limits spread over a cluster.
 *
 * <pre>
 * dunblock:rl:&lt;what&gt;:&lt;keyed hash&gt;   string  uses in the current window; expires with it
 * </pre>
 * Reports per reporter wrap the hash in the reporter's hash tag ({@code dunblock:rl:reports:{r:<hash>}}), so the
 * same script also reads the reporter's trust.
 */
public final class RateLimiter {
  private final ReputationStore store;
  private final LuaScript script;

  /** Loads the script (blocking; construct at start). */
  public RateLimiter(ReputationStore store) {
    this.store = store;
    this.script = store.script("rate.lua");
  }

  /**
   * Counts one use of {@code what} by {@code who} (a keyed hash, never an identity); fails with {@link RateLimitedException}
   * (its retry time) when {@code limit} uses were already made in the window.
   */
  public Future<Long> acquire(String what, String who, long limit, Duration window) {
    return run(what, new String[] {key(what, who)}, Long.toString(limit), Long.toString(window.toMillis()))
        .map(reply -> (Long) reply.get(1));
  }

  /**
   * Whether {@code who} may still use {@code what} in this window, counting nothing: fails with {@link
   * RateLimitedException} (its retry time) when {@code limit} uses were made. A use let through is counted later
   * with {@link #charge}, when it turns out to be one that counts.
   */
  public Future<Long> peek(String what, String who, long limit, Duration window) {
    return run(what, new String[] {key(what, who)}, Long.toString(limit), Long.toString(window.toMillis()), "peek")
        .map(reply -> (Long) reply.get(1));
  }

  /** Counts one use of {@code what} by {@code who} whatever the limit (one that {@link #peek} let through). */
  public Future<Long> charge(String what, String who, long limit, Duration window) {
    return run(what, new String[] {key(what, who)}, Long.toString(limit), Long.toString(window.toMillis()), "charge")
        .map(reply -> (Long) reply.get(1));
  }

  /**
   * Like {@link #acquire}, and in the same round trip, once the use is counted, reads {@code fields} of hash
   * {@code hashKey} (nulls when absent); with {@code setIfAbsent} ({@code name} and {@code value}) it first sets
   * that field unless it is set and gives the hash {@code hashTtl}. {@code who} must carry the hash tag of
   * {@code hashKey} (e.g. {@code {r:<reporter hash>}}) so both keys share a cluster slot.
   */
  public Future<List<String>> acquireAndRead(String what, String who, long limit, Duration window, String hashKey,
      Map.Entry<String, String> setIfAbsent, Duration hashTtl, String... fields) {
    String[] args = new String[4 + fields.length];
    args[0] = Long.toString(limit);
    args[1] = Long.toString(window.toMillis());
    args[2] = setIfAbsent == null ? "" : setIfAbsent.getKey() + "=" + setIfAbsent.getValue();
    args[3] = setIfAbsent == null ? "0" : Long.toString(hashTtl.toMillis());
    System.arraycopy(fields, 0, args, 4, fields.length);
    return run(what, new String[] {key(what, who), hashKey}, args).map(reply -> {
      List<String> values = new ArrayList<>(fields.length);
      for (int i = 0; i < fields.length; i++) {
        values.add(2 + i < reply.size() ? (String) reply.get(2 + i) : null);
      }
      return values;
    });
  }

  private static String key(String what, String who) {
    return KeySchema.rateLimit(what, who);
  }

  private Future<List<Object>> run(String what, String[] keys, String... args) {
    return store.run(script, keys, args).compose(reply -> {
      if ("limited".equals(reply.get(0))) {
        long retryMs = (Long) reply.get(1);
        return Future.failedFuture(new RateLimitedException("Too many " + what.replace('-', ' ') + " for now", retryMs));
      }
      return Future.succeededFuture(reply);
    });
  }
}
