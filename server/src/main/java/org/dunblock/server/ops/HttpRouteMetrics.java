package org.dunblock.server.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Request rate and latency per route template, method and status, under the series names Vert.x's Micrometer
 * metrics use ({@code vertx_http_server_requests_total}, {@code vertx_http_server_response_time_seconds} with a
 * histogram), but at a fraction of their cost: Vert.x builds and looks up each meter through its tags on every
 * request (about a tenth of a lookup's CPU in a profile), while this resolves the meters once per route, method
 * and status and then only records. The route is the template vertx-web reports ({@code /v1/numbers/:number},
 * never the raw path; {@code ""} for a request no route matched); a method outside the registered ones is labelled
 * {@code OTHER}. One instance serves every HTTP server of the process; all state is thread-safe.
 */
final class HttpRouteMetrics implements HttpServerMetrics<HttpRouteMetrics.Request, Void, Void> {
  private static final int STATUSES = 600;
  /** Any method token is a valid request line; labelling each one would let a client grow the meters without end. */
  private static final Set<HttpMethod> KNOWN_METHODS = Set.copyOf(HttpMethod.values());
  /** The same by identity: a request's method is nearly always Vert.x's constant, found without hashing. */
  private static final Set<HttpMethod> KNOWN_CONSTANTS = Collections.newSetFromMap(new IdentityHashMap<>());

  static {
    KNOWN_CONSTANTS.addAll(KNOWN_METHODS);
  }
  private static final HttpMethod OTHER = HttpMethod.valueOf("OTHER");

  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, ConcurrentHashMap<HttpMethod, AtomicReferenceArray<Meters>>> meters =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<HttpMethod, AtomicLong> active = new ConcurrentHashMap<>();
  private final AtomicLong connections = new AtomicLong();
  private final Counter bytesRead;
  private final Counter bytesWritten;

  /** One request in flight: when it began and the route(s) vertx-web matched. */
  static final class Request {
    final long start = System.nanoTime();
    final HttpMethod method;
    final AtomicLong activeOfMethod;
    String route = "";

    Request(HttpMethod method, AtomicLong activeOfMethod) {
      this.method = method;
      this.activeOfMethod = activeOfMethod;
    }
  }

  private record Meters(Counter requests, Timer responseTime) {
  }

  HttpRouteMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("vertx.http.server.active.connections", connections, AtomicLong::get)
        .description("Open HTTP connections").register(registry);
    bytesRead = Counter.builder("vertx.http.server.bytes.read").description("Bytes received").register(registry);
    bytesWritten = Counter.builder("vertx.http.server.bytes.written").description("Bytes sent").register(registry);
  }

  @Override
  public Void connected(io.vertx.core.net.SocketAddress remoteAddress, String remoteName) {
    connections.incrementAndGet();
    return null;
  }

  @Override
  public void disconnected(Void socketMetric, io.vertx.core.net.SocketAddress remoteAddress) {
    connections.decrementAndGet();
  }

  @Override
  public void bytesRead(Void socketMetric, io.vertx.core.net.SocketAddress remoteAddress, long numberOfBytes) {
    bytesRead.increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(Void socketMetric, io.vertx.core.net.SocketAddress remoteAddress, long numberOfBytes) {
    bytesWritten.increment(numberOfBytes);
  }

  @Override
  public Request requestBegin(Void socketMetric, HttpRequest request) {
    HttpMethod given = request.method();
    HttpMethod method = KNOWN_CONSTANTS.contains(given) || KNOWN_METHODS.contains(given) ? given : OTHER;
    AtomicLong gauge = active.computeIfAbsent(method, this::activeGauge);
    gauge.incrementAndGet();
    return new Request(method, gauge);
  }

  @Override
  public void requestRouted(Request request, String route) {
    if (route != null) {
      // Like Vert.x: several matched named routes (sub-routers) are joined with '>'.
      request.route = request.route.isEmpty() ? route : request.route + ">" + route;
    }
  }

  @Override
  public void requestReset(Request request) {
    request.activeOfMethod.decrementAndGet();
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    request.activeOfMethod.decrementAndGet();
    int status = response.statusCode();
    Meters m = meters(request.route, request.method, status);
    m.requests().increment();
    m.responseTime().record(System.nanoTime() - request.start, TimeUnit.NANOSECONDS);
  }

  private AtomicLong activeGauge(HttpMethod method) {
    AtomicLong gauge = new AtomicLong();
    Gauge.builder("vertx.http.server.active.requests", gauge, AtomicLong::get).tag("method", method.name())
        .description("Requests being processed").register(registry);
    return gauge;
  }

  private Meters meters(String route, HttpMethod method, int status) {
    AtomicReferenceArray<Meters> byStatus = meters.computeIfAbsent(route, r -> new ConcurrentHashMap<>())
        .computeIfAbsent(method, x -> new AtomicReferenceArray<>(STATUSES));
    int slot = status >= 0 && status < STATUSES ? status : 0;
    Meters known = byStatus.get(slot);
    if (known == null || slot == 0) {
      String code = Integer.toString(status);
      known = new Meters(
          Counter.builder("vertx.http.server.requests").description("Requests answered")
              .tags("route", route, "method", method.name(), "code", code).register(registry),
          Timer.builder("vertx.http.server.response.time").description("Time from request start to response end")
              .tags("route", route, "method", method.name(), "code", code).publishPercentileHistogram()
              .register(registry));
      byStatus.set(slot, known);
    }
    return known;
  }
}
