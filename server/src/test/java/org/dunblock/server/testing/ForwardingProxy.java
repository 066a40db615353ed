package org.dunblock.server.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.Set;

/**
 * A loopback reverse proxy in front of a server under test that adds {@code X-Forwarded-For: <client>} to every
 * request, as a load balancer does. The test servers trust loopback proxies ({@link TestServers#config}), so a
 * browser reaching the server through this proxy counts as a visitor from that client's network. Each proxy has
 * its own port, so a browser sees each as its own origin (its own storage, hence its own reporter token).
 */
public final class ForwardingProxy implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "proxy-connection", "te", "trailer", "x-forwarded-for");

  private final HttpServer server;
  private final HttpClient client;

  private ForwardingProxy(HttpServer server, HttpClient client) {
    this.server = server;
    this.client = client;
  }

  public static ForwardingProxy start(Vertx vertx, int targetPort, String clientIp) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(targetPort));
    HttpServer server = vertx.createHttpServer().requestHandler(req -> forward(client, req, clientIp));
    Api.await(server.listen(0, "127.0.0.1"));
    return new ForwardingProxy(server, client);
  }

  private static void forward(HttpClient client, HttpServerRequest req, String clientIp) {
    req.pause();
    client.request(new RequestOptions().setMethod(req.method()).setURI(req.uri()))
        .compose(out -> {
          copy(req.headers(), out.headers());
          out.putHeader("X-Forwarded-For", clientIp);
          return out.send(req);
        })
        .onSuccess(in -> {
          req.response().setStatusCode(in.statusCode());
          copy(in.headers(), req.response().headers());
          if (in.getHeader("Content-Length") == null) {
            req.response().setChunked(true);
          }
          in.pipeTo(req.response());
        })
        .onFailure(e -> req.response().setStatusCode(502).end());
  }

  private static void copy(MultiMap from, MultiMap to) {
    from.forEach(header -> {
      if (!HOP_BY_HOP.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        to.add(header.getKey(), header.getValue());
      }
    });
  }

  /** The proxy's base URL, e.g. http://127.0.0.1:41234. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  @Override
  public void close() {
    Api.await(server.close());
    Api.await(client.close());
  }
}
