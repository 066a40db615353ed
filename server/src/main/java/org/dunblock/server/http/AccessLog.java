package org.dunblock.server.http;

import io.vertx.core.http.HttpServerRequest;
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
      line(ctx.request(), route != null && route.getPath() != null ? route.getPath() : "-", start);
    });
    ctx.next();
  }

  /**
   * The same for a request answered outside the router, on {@code route}: the line is written when the response
   * ends, or when the connection closes before it does (Vert.x calls the end handler then too).
   */
  public static void log(HttpServerRequest request, String route) {
    long start = System.nanoTime();
    request.response().endHandler(done -> line(request, route, start));
  }

  private static void line(HttpServerRequest request, String route, long start) {
    LOG.info("request_id={} method={} route={} status={} ms={}", request.response().headers().get(RequestIds.HEADER),
        request.method(), route, request.response().getStatusCode(),
        String.format("%.1f", (System.nanoTime() - start) / 1e6));
  }
}
