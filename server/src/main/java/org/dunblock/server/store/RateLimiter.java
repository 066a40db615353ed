package org.dunblock.server.store;

import io.vertx.core.Future;
import java.time.Duration;
import org.dunblock.server.http.ApiException;

/**
 * Fixed-window limits kept in Redis ({@code rate.lua}), shared by every instance: reporter tokens per network per
 * day, reports per reporter per day. Keys carry no hash tag, so limits spread over a cluster.
 *
 * <pre>
 * dunblock:rl:&lt;what&gt;:&lt;keyed hash&gt;   string  uses in the current window; expires with it
 * </pre>
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
   * Counts one use of {@code what} by {@code who} (a keyed hash, never an identity); fails with 429 rate_limited and
   * a retry-after when {@code limit} uses were already made in the window.
   */
  public Future<Long> acquire(String what, String who, long limit, Duration window) {
    String key = KeySchema.PREFIX + "rl:" + what + ":" + who;
    return store.run(script, new String[] {key}, Long.toString(limit), Long.toString(window.toMillis()))
        .compose(reply -> {
          long value = (Long) reply.get(1);
          if ("limited".equals(reply.get(0))) {
            return Future.failedFuture(ApiException.rateLimited("Too many " + what.replace('-', ' ') + " for now", value));
          }
          return Future.succeededFuture(value);
        });
  }
}
