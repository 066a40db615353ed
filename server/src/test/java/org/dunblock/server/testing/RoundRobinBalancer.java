package org.dunblock.server.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal HTTP load balancer on loopback, for tests of several instances: each request goes to the next backend
 * in turn; a backend that refuses the connection is skipped (like HAProxy's {@code retry-on conn-failure} with
 * {@code option redispatch}); one that fails after accepting it yields a 502, which clients retry.
 */
public final class RoundRobinBalancer implements AutoCloseable {
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding",
      "content-length", "host", "upgrade");

  private final List<Integer> backends;
  private final HttpClient client;
  private final AtomicInteger next = new AtomicInteger();
  private HttpServer server;

  private RoundRobinBalancer(Vertx vertx, List<Integer> backends) {
    this.backends = List.copyOf(backends);
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1_000).setIdleTimeout(5));
  }

  /** Listens on a free loopback port in front of the given backend ports. */
  public static RoundRobinBalancer start(Vertx vertx, List<Integer> backendPorts) {
    RoundRobinBalancer balancer = new RoundRobinBalancer(vertx, backendPorts);
    balancer.server = Api.await(vertx.createHttpServer().requestHandler(balancer::handle).listen(0, "127.0.0.1"));
    return balancer;
  }

  public int port() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> forward(request, body, 0))
        .onFailure(e -> request.response().setStatusCode(400).end());
  }

  private void forward(HttpServerRequest request, Buffer body, int attempt) {
    int port = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
    RequestOptions options = new RequestOptions().setMethod(request.method()).setHost("127.0.0.1").setPort(port)
        .setURI(request.uri()).setHeaders(endToEnd(request.headers()));
    client.request(options).onComplete(connected -> {
      if (connected.failed()) {
        if (attempt + 1 < backends.size()) {
          forward(request, body, attempt + 1);
        } else {
          request.response().setStatusCode(503).end();
        }
        return;
      }
      connected.result().send(body).compose(response -> response.body().map(answer -> {
        request.response().setStatusCode(response.statusCode()).headers().addAll(endToEnd(response.headers()));
        request.response().end(answer);
        return answer;
      })).onFailure(e -> request.response().setStatusCode(502).end());
    });
  }

  private static MultiMap endToEnd(MultiMap headers) {
    MultiMap copy = HttpHeaders.headers();
    headers.forEach((name, value) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        copy.add(name, value);
      }
    });
    return copy;
  }

  @Override
  public void close() {
    try {
      server.close().await(5, TimeUnit.SECONDS);
      client.close().await(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(e);
    }
  }
}
