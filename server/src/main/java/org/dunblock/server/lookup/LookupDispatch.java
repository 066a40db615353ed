package org.dunblock.server.lookup;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import org.dunblock.server.http.AccessLog;
import org.dunblock.server.http.ErrorHandler;
import org.dunblock.server.http.RequestIds;

/**
 * Answers the single lookup, {@code GET /v1/numbers/{number}}, straight from the HTTP server's request handler and
 * hands every other request to the router. Most of the API's traffic is this one request, and for an unreported
 * number the router's own work (a routing context, path normalisation, matching the routes' patterns, decoding the
 * path parameter) cost more CPU than the lookup itself.
 *
 * <p>The answer is the routed one, header for header: an X-Request-Id ({@link RequestIds}), the access log line
 * ({@link AccessLog}), the route template as the metrics' route label, the lookup limiter, and errors written by
 * {@link ErrorHandler}. Only a path whose number needs no decoding is taken here (ASCII digits, with an optional
 * leading {@code +} or {@code %2B}), with a query (for {@code region}) that needs none either (no {@code %} or
 * {@code +}); anything else (other punctuation, escapes, more segments, another method) goes to the router, which
 * answers it as before, including a 400 for escapes that do not decode.
 */
public final class LookupDispatch implements Handler<HttpServerRequest> {
  public static final String ROUTE = "/v1/numbers/:number";
  private static final String PREFIX = "/v1/numbers/";
  private static final String ENCODED_PLUS = "%2B";

  private final LookupApi lookups;
  private final boolean accessLog;
  private final Handler<HttpServerRequest> router;

  public LookupDispatch(LookupApi lookups, boolean accessLog, Handler<HttpServerRequest> router) {
    this.lookups = lookups;
    this.accessLog = accessLog;
    this.router = router;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String number = request.method() == HttpMethod.GET ? plainNumber(request.path()) : null;
    String query = request.query();
    if (number == null || query != null && (query.indexOf('%') >= 0 || query.indexOf('+') >= 0)) {
      router.handle(request);
      return;
    }
    request.routed(ROUTE);
    RequestIds.assign(request);
    if (accessLog) {
      AccessLog.log(request, ROUTE);
    }
    Handler<Throwable> fail = failure -> ErrorHandler.fail(request, ROUTE, failure);
    try {
      lookups.lookup(request, number, query == null ? null : request.getParam("region"), fail);
    } catch (RuntimeException e) {
      fail.handle(e);
    }
  }

  /** The number in a {@code /v1/numbers/{number}} path when it needs no decoding; null for any other path. */
  static String plainNumber(String path) {
    if (path == null || !path.startsWith(PREFIX)) {
      return null;
    }
    int start = PREFIX.length();
    boolean encodedPlus = path.regionMatches(true, start, ENCODED_PLUS, 0, ENCODED_PLUS.length());
    int digits = encodedPlus ? start + ENCODED_PLUS.length() : path.startsWith("+", start) ? start + 1 : start;
    if (digits == path.length()) {
      return null;
    }
    for (int i = digits; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
    }
    return encodedPlus ? "+" + path.substring(digits) : path.substring(start);
  }
}
