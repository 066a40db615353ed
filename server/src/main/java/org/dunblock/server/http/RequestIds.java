package org.dunblock.server.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.ThreadLocalRandom;

/** Gives every response an X-Request-Id (echoing a sane client one) so SDK errors can be traced in logs. */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";
  /** The name encoded once: every request reads and writes it. */
  private static final CharSequence NAME = HttpHeaders.createOptimized(HEADER);
  private static final java.util.regex.Pattern SANE = java.util.regex.Pattern.compile("[A-Za-z0-9._-]+");

  private RequestIds() {
  }

  public static void assign(RoutingContext ctx) {
    assign(ctx.request());
    ctx.next();
  }

  /** The same for a request answered outside the router. */
  public static void assign(HttpServerRequest request) {
    String given = request.getHeader(NAME);
    String id = given != null && given.length() <= 64 && SANE.matcher(given).matches()
        ? given
        : generate();
    request.response().putHeader(NAME, id);
  }

  public static String generate() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong());
  }
}
