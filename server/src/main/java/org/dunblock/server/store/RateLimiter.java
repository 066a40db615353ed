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
            return Future.failedFuture(new RateLimitedException(what, Math.max(1, (value + 999) / 1000)));
          }
          return Future.succeededFuture(value);
        });
  }

  /** 429 with the seconds to wait; ErrorHandler adds the Retry-After header. */
  public static final class RateLimitedException extends ApiException {
    private final long retryAfterSeconds;

    public RateLimitedException(String what, long retryAfterSeconds) {
      super(429, "rate_limited", "Too many " + what.replace('-', ' ') + " for now; retry in " + retryAfterSeconds
          + " seconds.");
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }
}
