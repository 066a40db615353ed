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
import org.dunblock.server.number.InvalidNumberException;
import org.dunblock.server.store.RateLimitedException;
import org.dunblock.server.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become {@code {"error": ..., "message": ...}} responses: the edge's own
 * {@link ApiException}s, and the toolkits' domain exceptions (an invalid number, a spent limit, an unavailable store).
 */
public final class ErrorHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);
  public static final String RETRY_AFTER_SECONDS = "5";

  private ErrorHandler() {
  }

  public static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    boolean clientStatus = ctx.statusCode() >= 400 && ctx.statusCode() < 500;
    if (failure != null && (answeredByType(failure) || !clientStatus)) {
      fail(ctx.request(), ctx.normalizedPath(), failure);
    } else if (ctx.response().headWritten()) {
      ctx.response().reset();
    } else {
      byStatus(ctx.request(), ctx.normalizedPath(), ctx.statusCode());
    }
  }

  /**
   * Answers a request that failed outside the router (the direct lookup of {@code LookupDispatch}) as
   * {@link #handle} answers a routed one; {@code path} is only logged, for an unexpected failure.
   */
  public static void fail(HttpServerRequest request, String path, Throwable failure) {
    HttpServerResponse response = request.response();
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (failure instanceof ApiException api) {
      if (api.retryAfterSeconds() > 0) {
        response.putHeader("Retry-After", Long.toString(api.retryAfterSeconds()));
      }
      write(response, api.status(), api.code(), api.getMessage());
    } else if (failure instanceof InvalidNumberException invalid) {
      write(response, 400, invalid.code(), invalid.getMessage());
    } else if (failure instanceof RateLimitedException limited) {
      response.putHeader("Retry-After", Long.toString(limited.retryAfterSeconds()));
      write(response, 429, "rate_limited",
          limited.getMessage() + "; retry in " + limited.retryAfterSeconds() + " s.");
    } else if (failure instanceof StoreUnavailableException || failure instanceof TimeoutException) {
      response.putHeader("Retry-After", RETRY_AFTER_SECONDS);
      write(response, 503, "store_unavailable", "The reputation store is not answering; retry later.");
    } else if (failure instanceof DecodeException) {
      write(response, 400, "invalid_json", "The request body is not valid JSON.");
    } else if (failure instanceof HttpException http) {
      byStatus(request, path, http.getStatusCode());
    } else {
      LOG.error("Unhandled failure on {} {} (request {})", request.method(), path,
          response.headers().get(RequestIds.HEADER), failure);
      write(response, 500, "internal_error", "Something went wrong on our side.");
    }
  }

  /** The failures {@link #fail} answers by their own type rather than by the context's status. */
  private static boolean answeredByType(Throwable failure) {
    return failure instanceof ApiException || failure instanceof InvalidNumberException
        || failure instanceof RateLimitedException || failure instanceof StoreUnavailableException
        || failure instanceof TimeoutException || failure instanceof DecodeException
        || failure instanceof HttpException;
  }

  private static void byStatus(HttpServerRequest request, String path, int status) {
    HttpServerResponse response = request.response();
    switch (status) {
      case 400 -> write(response, 400, "bad_request", "The request could not be read.");
      case 401 -> write(response, 401, "unauthorized", "This needs credentials.");
      case 404 -> write(response, 404, "not_found", "No such resource.");
      case 405 -> write(response, 405, "method_not_allowed", "This method is not allowed on this resource.");
      case 413 -> write(response, 413, "body_too_large", "The request body is larger than the server accepts.");
      case 415 -> write(response, 415, "unsupported_media_type", "Send the body as application/json.");
      default -> {
        if (status >= 400 && status < 500) {
          write(response, status, "client_error", "The request was not accepted.");
        } else {
          LOG.error("Request failed with status {} on {} {} (request {})", status, request.method(), path,
              response.headers().get(RequestIds.HEADER));
          write(response, 500, "internal_error", "Something went wrong on our side.");
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
    // Say the connection closes: a client that pools connections would otherwise send its next request on it.
    HttpServerResponse response = request.response().putHeader(RequestIds.HEADER, RequestIds.generate())
        .putHeader("Connection", "close");
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
