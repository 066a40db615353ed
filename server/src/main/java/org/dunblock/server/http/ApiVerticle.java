package org.dunblock.server.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.Services;

/** One HTTP server instance; Dunblock deploys one per event loop, all sharing the port. */
public final class ApiVerticle extends VerticleBase {
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final int IDLE_TIMEOUT_SECONDS = 60;
  static final long SHUTDOWN_GRACE_SECONDS = 10;

  private final Services services;
  private HttpServer server;

  public ApiVerticle(Services services) {
    this.services = services;
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(services.config().host())
        .setMaxHeaderSize(MAX_HEADER_BYTES)
        .setMaxInitialLineLength(8 * 1024)
        .setIdleTimeout(IDLE_TIMEOUT_SECONDS)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setCompressionSupported(true)
        // A JSON body sent as a form (curl -d without a Content-Type) is decoded as form attributes too; let that
        // decoding take as much as the body limit allows instead of failing past Vert.x's 8 KiB default.
        .setMaxFormAttributeSize(services.config().maxBodyBytes());
    server = vertx.createHttpServer(options)
        .invalidRequestHandler(ErrorHandler::invalidRequest)
        .requestHandler(ApiRouter.create(vertx, services));
    return server.listen(services.config().port());
  }

  @Override
  public Future<?> stop() {
    // Stop accepting, let in-flight requests finish (bounded), then close.
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  public int actualPort() {
    return server.actualPort();
  }
}
