package org.dunblock.server.web;

import com.google.common.hash.Hashing;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dunblock.server.http.ApiException;

/**
 * The public pages (lookup, report, appeal) and the operators' dashboard: plain HTML, CSS and JavaScript modules
 * from the jar's {@code web/} resources, held in memory, so the jar alone serves them with no build step. Every
 * response carries a Content-Security-Policy that allows scripts and styles from this origin only (no inline
 * script, no eval), so text a user typed can never run even if a page had a bug.
 */
public final class WebPages {
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
      + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
  /** Pages are revalidated on every visit; assets may be reused for an hour, then revalidated by ETag. */
  static final String PAGE_CACHE = "no-cache";
  static final String ASSET_CACHE = "public, max-age=3600";
  static final List<String> PAGES = List.of("index.html", "report.html", "appeal.html", "dashboard.html");
  static final List<String> ASSETS = List.of("app.css", "i18n.js", "common.js", "chart.js", "lookup.js",
      "report.js", "appeal.js", "dashboard.js");

  private record Resource(Buffer body, String type, String etag) {
  }

  private final Map<String, Resource> pages = new HashMap<>();
  private final Map<String, Resource> assets = new HashMap<>();

  public WebPages() {
    PAGES.forEach(name -> pages.put(name, load("web/pages/" + name)));
    ASSETS.forEach(name -> assets.put(name, load("web/static/" + name)));
  }

  public Handler<RoutingContext> page(String name) {
    Resource page = pages.get(name);
    if (page == null) {
      throw new IllegalArgumentException("No page " + name);
    }
    return ctx -> send(ctx, page, PAGE_CACHE);
  }

  /** GET /static/{file}: one of {@link #ASSETS}; anything else is 404. */
  public void asset(RoutingContext ctx) {
    Resource asset = assets.get(ctx.pathParam("file"));
    if (asset == null) {
      throw new ApiException(404, "not_found", "No such resource.");
    }
    send(ctx, asset, ASSET_CACHE);
  }

  private static void send(RoutingContext ctx, Resource resource, String cacheControl) {
    ctx.response()
        .putHeader("Content-Security-Policy", CSP)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Cache-Control", cacheControl)
        .putHeader("ETag", resource.etag());
    if (resource.etag().equals(ctx.request().getHeader("If-None-Match"))) {
      ctx.response().setStatusCode(304).end();
      return;
    }
    ctx.response().putHeader("Content-Type", resource.type()).end(resource.body());
  }

  private static Resource load(String path) {
    try (InputStream in = WebPages.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " missing from the classpath");
      }
      byte[] bytes = in.readAllBytes();
      String etag = "\"" + Hashing.sha256().hashBytes(bytes).toString().substring(0, 16) + "\"";
      return new Resource(Buffer.buffer(bytes), type(path), etag);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String type(String path) {
    if (path.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (path.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    return "text/javascript; charset=utf-8";
  }
}
