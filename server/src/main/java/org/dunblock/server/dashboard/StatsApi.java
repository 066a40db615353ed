package org.dunblock.server.dashboard;

import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import org.dunblock.server.http.Responses;

/** GET /v1/admin/stats (operator): the live figures of the operators' dashboard. */
public final class StatsApi {
  private final DashboardStats stats;
  private final LookupRates lookups;
  private final Clock clock;

  public StatsApi(DashboardStats stats, LookupRates lookups, Clock clock) {
    this.stats = stats;
    this.lookups = lookups;
    this.clock = clock;
  }

  public void stats(RoutingContext ctx) {
    long now = clock.millis();
    stats.collect(now).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      ctx.response().putHeader("Cache-Control", "no-store");
      Responses.json(ctx, 200, ar.result().put("lookups", lookups.snapshot(now)));
    });
  }
}
