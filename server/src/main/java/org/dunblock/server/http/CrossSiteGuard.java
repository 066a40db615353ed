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
  private final java.util.Set<String> publicHosts;

  /**
   * @param publicHosts the host names clients reach this server by ({@code DUNBLOCK_PUBLIC_HOSTS}). A state-changing
   *     request naming another host in its Host header is refused: that is what DNS rebinding looks like, a page on
   *     the attacker's domain, re-pointed at this server, whose Origin then equals its Host. IP literals and
   *     {@code localhost} are always accepted (a rebinding page cannot have an IP-literal origin of ours).
   */
  public CrossSiteGuard(java.util.Set<String> publicHosts) {
    this.publicHosts = java.util.Set.copyOf(publicHosts);
  }

  public void check(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpMethod method = request.method();
    if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS)) {
      ctx.next();
      return;
    }
    if (!knownHost(request.getHeader("Host"))) {
      ctx.fail(new ApiException(421, "unknown_host", "This server does not answer state-changing requests for that "
          + "host name; its operator lists the names it is reached by in DUNBLOCK_PUBLIC_HOSTS."));
      return;
    }
    String site = request.getHeader("Sec-Fetch-Site");
    String origin = request.getHeader("Origin");
    String fetchSite = site == null ? null : site.trim();
    // same-site is not same-origin: a page on a sibling subdomain (say, user content) is another site's page here.
    if ("cross-site".equalsIgnoreCase(fetchSite) || "same-site".equalsIgnoreCase(fetchSite)
        || origin != null && !sameOrigin(origin, request.getHeader("Host"))) {
      ctx.fail(new ApiException(403, "cross_site_request",
          "State-changing requests from another site's pages are refused."));
      return;
    }
    ctx.next();
  }

  /** Whether the Host header (without its port) is an IP literal, localhost or one of the public hosts. */
  boolean knownHost(String host) {
    if (host == null || host.isBlank()) {
      return true; // HTTP/1.0 clients; a browser always sends Host
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      return h.indexOf(']') > 0; // an IPv6 literal
    }
    int colon = h.indexOf(':');
    String name = colon >= 0 ? h.substring(0, colon) : h;
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    return name.equals("localhost") || name.matches("[0-9.]+") || publicHosts.contains(name);
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
