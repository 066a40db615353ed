package org.dunblock.server.dashboard;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.dunblock.server.http.Responses;

/**
 * GET /v1/admin/stats (operator): the live figures of the operators' dashboard. Computing them reads tens of
 * thousands of stream entries, so an instance computes them at most once per {@link #CACHE_FOR} and answers calls in
 * between from that (the in-memory lookup rates stay live). Shared by every event loop: the cache holds a finished
 * JSON value, never a Future, so no callback runs on another loop's context.
 */
public final class StatsApi {
  static final Duration CACHE_FOR = Duration.ofSeconds(10);

  private record Computed(long atMillis, JsonObject figures) {
  }

  private final DashboardStats stats;
  private final LookupRates lookups;
  private final Clock clock;
  private final AtomicReference<Computed> last = new AtomicReference<>();

  public StatsApi(DashboardStats stats, LookupRates lookups, Clock clock) {
    this.stats = stats;
    this.lookups = lookups;
    this.clock = clock;
  }

  public void stats(RoutingContext ctx) {
    long now = clock.millis();
    Computed cached = last.get();
    if (cached != null && now >= cached.atMillis() && now - cached.atMillis() < CACHE_FOR.toMillis()) {
      answer(ctx, cached.figures().copy(), now);
      return;
    }
    stats.collect(now).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      last.set(new Computed(now, ar.result().copy()));
      answer(ctx, ar.result(), now);
    });
  }

  private void answer(RoutingContext ctx, JsonObject figures, long now) {
    ctx.response().putHeader("Cache-Control", "no-store");
    Responses.json(ctx, 200, figures.put("lookups", lookups.snapshot(now)));
  }
}
