package org.dunblock.server.testing;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import java.util.Map;
import java.util.TreeMap;
import org.dunblock.server.DunblockServer;

/** The routes a server's router serves, for tests that must cover every endpoint. */
public final class Routes {
  private Routes() {
  }

  /**
   * "METHOD /path/{param}" (the OpenAPI spelling) mapped to a callable path with sample parameters
   * (13800138000 for numbers and ids, +86138001 for prefixes).
   */
  public static Map<String, String> of(DunblockServer server) {
    Map<String, String> routes = new TreeMap<>();
    for (Route route : server.routes()) {
      if (route.getPath() == null || route.methods() == null) {
        continue;
      }
      for (HttpMethod method : route.methods()) {
        String path = route.getPath().replaceAll(":([A-Za-z]+)", "{$1}");
        routes.put(method.name() + " " + path, route.getPath()
            .replace(":prefix", "+86138001").replaceAll(":[A-Za-z]+", "13800138000"));
      }
    }
    return routes;
  }
}
