package org.dunblock.server.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.Responses;

/** GET /v1/admin/audit?limit=100&amp;before=&lt;id&gt;: the audit log for admins, newest first, paged by id. */
public final class AuditApi {
  private final AuditLog log;

  public AuditApi(AuditLog log) {
    this.log = log;
  }

  public void list(RoutingContext ctx) {
    int limit = 100;
    String rawLimit = ctx.queryParams().get("limit");
    if (rawLimit != null) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > AuditLog.MAX_LIMIT) {
        throw ApiException.badRequest("invalid_limit", "'limit' must be between 1 and " + AuditLog.MAX_LIMIT + ".");
      }
    }
    int pageSize = limit;
    String before = ctx.queryParams().get("before");
    if (before != null && !before.matches("\\d{1,20}-\\d{1,20}")) {
      throw ApiException.badRequest("invalid_cursor", "'before' must be an audit entry id such as 1732000000000-0.");
    }
    log.read(pageSize, before).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonArray entries = new JsonArray(ar.result());
      JsonObject body = new JsonObject().put("entries", entries);
      if (ar.result().size() == pageSize) {
        body.put("next", ar.result().get(ar.result().size() - 1).getString("id"));
      }
      Responses.json(ctx, 200, body);
    });
  }
}
