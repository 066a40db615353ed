package org.dunblock.server.reporter;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.http.Responses;
import org.dunblock.server.store.RateLimiter;

/** POST /v1/reporters: hands out an anonymous reporter token; no account, nothing about the caller is kept. */
public final class ReporterApi {
  private static final Duration DAY = Duration.ofDays(1);

  private final ReporterTokens tokens;
  private final ClientAddress clientAddress;
  private final RateLimiter limiter;
  private final int perNetworkPerDay;

  public ReporterApi(ReporterTokens tokens, ClientAddress clientAddress, RateLimiter limiter, int perNetworkPerDay) {
    this.tokens = tokens;
    this.clientAddress = clientAddress;
    this.limiter = limiter;
    this.perNetworkPerDay = perNetworkPerDay;
  }

  /** Tokens are issued at a bounded rate per network (keyed hash of the /24 or /48; the address is not kept). */
  public void create(RoutingContext ctx) {
    String network = tokens.networkHash(clientAddress.of(ctx.request()));
    limiter.acquire("reporter-tokens", network, perNetworkPerDay, DAY).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        Responses.json(ctx, 201, new JsonObject().put("token", tokens.issue()));
      }
    });
  }
}
