package org.dunblock.server.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Bounds how long a slow client (slowloris) can hold a connection. Netty's idle timeout only sees silence, so a
 * client trickling one header byte a second, or a body that never ends, would keep its connection for ever:
 * <ul>
 *   <li>a connection must complete its next request's headers within the idle timeout of connecting or of its
 *   previous answer (headers are invisible until complete, so a trickle looks like idling), else it is closed;</li>
 *   <li>once the headers are in, the whole body must arrive within the request timeout, else 408 and the close;
 *   except on streamed routes (imports) while their answer is still being worked on: the server reads those at
 *   its own pace, and a stalled upload is silence, which the idle timeout ends.</li>
 * </ul>
 * Requests in an HTTP version the server does not speak are refused here too (400, not Vert.x's bare 501).
 * One sweep per verticle checks its own connections a few times per timeout instead of a timer per request, so the
 * lookup fast path pays one map write. Everything runs on the verticle's event loop; no locking.
 */
final class SlowClientGuard {
  private final Vertx vertx;
  private final long headerMs;
  private final long bodyMs;
  private final Set<String> streamedPaths;
  private final Map<HttpConnection, Tracked> connections = new IdentityHashMap<>();
  private long sweeper = -1;

  /** What the sweep knows of one connection: its request in progress (null while waiting) and since when. */
  private static final class Tracked {
    HttpServerRequest current;
    long since;

    Tracked(long since) {
      this.since = since;
    }
  }

  SlowClientGuard(Vertx vertx, Duration idleTimeout, Duration requestTimeout, Set<String> streamedPaths) {
    this.vertx = vertx;
    this.streamedPaths = Set.copyOf(streamedPaths);
    this.headerMs = idleTimeout.toMillis();
    this.bodyMs = requestTimeout.toMillis();
  }

  /** Starts the sweep; call from the verticle's start so it runs on the verticle's event loop. */
  void start() {
    long period = Math.max(20, Math.min(1_000, Math.min(headerMs, bodyMs) / 4));
    sweeper = vertx.setPeriodic(period, id -> sweep(System.currentTimeMillis()));
  }

  void stop() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
  }

  void connected(HttpConnection connection) {
    track(connection);
  }

  /** Vert.x may dispatch a connection's first request before its connection handler: either one starts tracking. */
  private Tracked track(HttpConnection connection) {
    Tracked tracked = connections.get(connection);
    if (tracked == null) {
      tracked = new Tracked(System.currentTimeMillis());
      connections.put(connection, tracked);
      connection.closeHandler(v -> connections.remove(connection));
    }
    return tracked;
  }

  Handler<HttpServerRequest> guarding(Handler<HttpServerRequest> next) {
    return request -> {
      if (request.version() == null) {
        ErrorHandler.write(request.response().putHeader("Connection", "close"), 400, "unsupported_http_version",
            "This server speaks HTTP/1.0 and HTTP/1.1.").onComplete(done -> request.connection().close());
        return;
      }
      Tracked tracked = track(request.connection());
      tracked.current = request;
      tracked.since = System.currentTimeMillis();
      next.handle(request);
    };
  }

  private void sweep(long now) {
    for (Iterator<Map.Entry<HttpConnection, Tracked>> it = connections.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<HttpConnection, Tracked> entry = it.next();
      HttpConnection connection = entry.getKey();
      Tracked tracked = entry.getValue();
      HttpServerRequest request = tracked.current;
      if (request == null) {
        if (now - tracked.since > headerMs) {
          it.remove();
          connection.close();
        }
      } else if (!request.isEnded()) {
        boolean serverPaced = !request.response().ended() && streamedPaths.contains(request.path());
        if (!serverPaced && now - tracked.since > bodyMs) {
          it.remove();
          timeOut(request, connection);
        }
      } else if (request.response().ended()) {
        // Answered and read: from now on the connection waits for the next request's headers.
        tracked.current = null;
        tracked.since = now;
      }
    }
  }

  private static void timeOut(HttpServerRequest request, HttpConnection connection) {
    HttpServerResponse response = request.response();
    if (response.headWritten() || response.ended()) {
      connection.close();
      return;
    }
    if (response.headers().get(RequestIds.HEADER) == null) {
      response.putHeader(RequestIds.HEADER, RequestIds.generate());
    }
    ErrorHandler.write(response.putHeader("Connection", "close"), 408, "request_timeout",
        "The request was not received in time.").onComplete(done -> connection.close());
  }
}
