package org.dunblock.server.reporter;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.dunblock.server.http.Responses;

/** POST /v1/reporters: hands out an anonymous reporter token; no account, nothing about the caller is kept. */
public final class ReporterApi {
  private final ReporterTokens tokens;

  public ReporterApi(ReporterTokens tokens) {
    this.tokens = tokens;
  }

  public void create(RoutingContext ctx) {
    Responses.json(ctx, 201, new JsonObject().put("token", tokens.issue()));
  }
}
