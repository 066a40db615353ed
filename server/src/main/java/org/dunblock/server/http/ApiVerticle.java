package org.dunblock.server.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.dunblock.server.config.HttpOptions;

/** One HTTP server instance; Dunblock deploys one per event loop, all sharing the port. */
public final class ApiVerticle extends VerticleBase {
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final long SHUTDOWN_GRACE_SECONDS = 10;

  private final HttpOptions config;
  private final Function<Vertx, Handler<HttpServerRequest>> requests;
  private final Set<String> streamedPaths;
  private HttpServer server;
  private SlowClientGuard guard;

  /**
   * @param requests builds this instance's request handler on its Vert.x
   * @param streamedPaths paths whose bodies are streamed for as long as they take (the slow-client guard's request
   *     timeout does not apply to them)
   */
  public ApiVerticle(HttpOptions config, Function<Vertx, Handler<HttpServerRequest>> requests,
      Set<String> streamedPaths) {
    this.config = config;
    this.requests = requests;
    this.streamedPaths = streamedPaths;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = options(config);
    guard = new SlowClientGuard(vertx, config.idleTimeout(), config.requestTimeout(), streamedPaths);
    guard.start();
    server = vertx.createHttpServer(options)
        .connectionHandler(guard::connected)
        // Without a WebSocket handler Vert.x answers a request in an HTTP version it does not speak (HTTP/9.9) with
        // a bare 501 before any handler of ours runs; with one, such requests reach the guard, which answers 400.
        // The API has no WebSockets: upgrades are refused.
        .webSocketHandshakeHandler(handshake -> handshake.reject(400))
        .invalidRequestHandler(ErrorHandler::invalidRequest)
        .requestHandler(guard.guarding(requests.apply(vertx)));
    // On the configured host only (listen(port) alone binds every interface, whatever the options say). Port 0 would
    // give each instance a random port of its own, leaving every event loop but the first idle; -1 is one random
    // port shared by all instances, as a fixed port is.
    return server.listen(config.port() == 0 ? -1 : config.port(), config.host());
  }

  /**
   * The HTTP server's options: header limits, idle timeout, compression negotiation, HTTP/1.1 only, TLS when
   * configured. Public for the benchmark's configured bare server, which must pay the same per-request costs.
   */
  public static HttpServerOptions options(HttpOptions config) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxInitialLineLength(8 * 1024)
        .setIdleTimeout((int) config.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setCompressionSupported(true)
        // HTTP/1.1 only: sniffing for an h2c preface delays the connection (and the slow-client guard) until the
        // first bytes arrive, so a client trickling them would go unwatched.
        .setHttp2ClearTextEnabled(false)
        // Form bodies are refused (415) before any BodyHandler decodes them; should one be decoded, let it take
        // as much as the body limit allows instead of failing past Vert.x's 8 KiB default.
        .setMaxFormAttributeSize(config.maxBodyBytes());
    if (config.tlsCert().isPresent()) {
      // HTTPS only on this port: a plain-HTTP request fails the handshake and is never served.
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions()
          .setCertPath(config.tlsCert().get().toString())
          .setKeyPath(config.tlsKey().orElseThrow().toString()));
    }
    return options;
  }

  @Override
  public Future<?> stop() {
    guard.stop();
    // Stop accepting, let in-flight requests finish (bounded), then close.
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
