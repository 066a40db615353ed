package org.dunblock.server.http;

import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One key=value line per answered request ({@code DUNBLOCK_ACCESS_LOG=true}), carrying the request id the client
 * saw in X-Request-Id. It names the route template, never the raw path (which holds the number looked up), and
 * never the client's address, token or key: nothing here identifies a reporter. Vert.x has no thread-local context
 * that survives async hops, so the id is read from the response when the line is written.
 */
public final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger(AccessLog.class);

  private AccessLog() {
  }

  public static void log(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(done -> {
      Route route = ctx.currentRoute();
      LOG.info("request_id={} method={} route={} status={} ms={}",
          ctx.response().headers().get(RequestIds.HEADER), ctx.request().method(),
          route != null && route.getPath() != null ? route.getPath() : "-", ctx.response().getStatusCode(),
          String.format("%.1f", (System.nanoTime() - start) / 1e6));
    });
    ctx.next();
  }
}
