package org.dunblock.server.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.Locale;

/**
 * Refuses state-changing requests that a browser sends on behalf of another site. A page elsewhere can make its
 * visitors' browsers POST a "simple" request (text/plain, a form, text/csv) without a CORS preflight; browsers mark
 * such requests with {@code Sec-Fetch-Site: cross-site} and an {@code Origin} of the other site. Native apps and
 * command-line clients send neither, so they are unaffected. Reads are left alone: the server sends no CORS
 * headers, so another site's scripts cannot read the answers anyway.
 */
public final class CrossSiteGuard {
  private CrossSiteGuard() {
  }

  public static void check(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpMethod method = request.method();
    if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS)) {
      ctx.next();
      return;
    }
    String site = request.getHeader("Sec-Fetch-Site");
    String origin = request.getHeader("Origin");
    if ("cross-site".equalsIgnoreCase(site == null ? null : site.trim())
        || origin != null && !sameOrigin(origin, request.getHeader("Host"))) {
      ctx.fail(new ApiException(403, "cross_site_request",
          "State-changing requests from another site's pages are refused."));
      return;
    }
    ctx.next();
  }

  /**
   * Whether {@code origin} names this server as the browser reached it (the Host header; a proxy in front must pass
   * it on). The scheme is not compared: behind a TLS-terminating proxy the server itself only sees HTTP.
   */
  static boolean sameOrigin(String origin, String host) {
    if (host == null || host.isBlank()) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin.trim());
    } catch (Exception e) {
      return false;
    }
    if (uri.getHost() == null || uri.getScheme() == null || uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      return false;
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    String originAuthority = uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    return originAuthority.equals(authority(host.trim().toLowerCase(Locale.ROOT), port));
  }

  /** host[:port] as host:port; without a port, the origin's default port is assumed (same scheme). */
  private static String authority(String host, int defaultPort) {
    int colon = host.lastIndexOf(':');
    if (colon > 0 && host.indexOf(']') < colon) {
      return host;
    }
    return host + ":" + defaultPort;
  }
}
