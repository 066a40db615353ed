package org.dunblock.server.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.concurrent.TimeoutException;
import org.dunblock.server.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where failures become {@code {"error": ..., "message": ...}} responses. */
public final class ErrorHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);
  public static final String RETRY_AFTER_SECONDS = "5";

  private ErrorHandler() {
  }

  public static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    if (failure instanceof ApiException api) {
      if (api.retryAfterSeconds() > 0) {
        ctx.response().putHeader("Retry-After", Long.toString(api.retryAfterSeconds()));
      }
      send(ctx, api.status(), api.code(), api.getMessage());
    } else if (failure instanceof StoreUnavailableException || failure instanceof TimeoutException) {
      ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
      send(ctx, 503, "store_unavailable", "The reputation store is not answering; retry later.");
    } else if (failure instanceof DecodeException) {
      send(ctx, 400, "invalid_json", "The request body is not valid JSON.");
    } else if (failure instanceof HttpException http) {
      byStatus(ctx, http.getStatusCode());
    } else if (failure == null || ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      byStatus(ctx, ctx.statusCode());
    } else {
      LOG.error("Unhandled failure on {} {} (request {})", ctx.request().method(), ctx.normalizedPath(),
          ctx.response().headers().get(RequestIds.HEADER), failure);
      send(ctx, 500, "internal_error", "Something went wrong on our side.");
    }
  }

  private static void byStatus(RoutingContext ctx, int status) {
    switch (status) {
      case 400 -> send(ctx, 400, "bad_request", "The request could not be read.");
      case 401 -> send(ctx, 401, "unauthorized", "This needs credentials.");
      case 404 -> send(ctx, 404, "not_found", "No such resource.");
      case 405 -> send(ctx, 405, "method_not_allowed", "This method is not allowed on this resource.");
      case 413 -> send(ctx, 413, "body_too_large", "The request body is larger than the server accepts.");
      case 415 -> send(ctx, 415, "unsupported_media_type", "Send the body as application/json.");
      default -> {
        if (status >= 400 && status < 500) {
          send(ctx, status, "client_error", "The request was not accepted.");
        } else {
          LOG.error("Request failed with status {} on {} {} (request {})", status, ctx.request().method(),
              ctx.normalizedPath(), ctx.response().headers().get(RequestIds.HEADER));
          send(ctx, 500, "internal_error", "Something went wrong on our side.");
        }
      }
    }
  }

  /** Vert.x's own 400s (a path whose %-escapes do not decode) come without a failure or status of ours. */
  public static void badRequest(RoutingContext ctx) {
    send(ctx, 400, "bad_request", "The request could not be read.");
  }

  /**
   * Requests the HTTP codec could not decode never reach the router. Answer them as Vert.x's default handler does
   * (414, 431 or 400, then close the connection), but in the JSON error shape.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    HttpServerResponse response = request.response().putHeader(RequestIds.HEADER, RequestIds.generate());
    if (cause instanceof TooLongHttpLineException) {
      write(response, 414, "uri_too_long", "The request line is longer than the server accepts.");
    } else if (cause instanceof TooLongHttpHeaderException) {
      write(response, 431, "headers_too_large", "The request headers are larger than the server accepts.");
    } else {
      write(response, 400, "bad_request", "The request could not be read.");
    }
    request.connection().close();
  }

  public static void send(RoutingContext ctx, int status, String code, String message) {
    write(ctx.response(), status, code, message);
  }

  static io.vertx.core.Future<Void> write(HttpServerResponse response, int status, String code, String message) {
    return response
        .setStatusCode(status)
        .putHeader("Content-Type", "application/json; charset=utf-8")
        .end(new JsonObject().put("error", code).put("message", message).toBuffer());
  }
}
