package org.dunblock.server.ops;

import io.netty.util.concurrent.FastThreadLocal;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;

/**
 * Request rate and latency per route template, method and status, under the series names Vert.x's Micrometer
 * metrics use ({@code vertx_http_server_requests_total}, {@code vertx_http_server_response_time_seconds} with a
 * histogram and its {@code _max}, active connections and requests, bytes read and written), at a fraction of their
 * cost: each thread that serves requests (an event loop) records into counters of its own with plain writes, no
 * atomic operation and no shared cache line, and a scrape of {@code /metrics} adds up every thread's counters
 * ({@link #collect()}, registered with the Prometheus registry). Vert.x builds and looks up each meter through its
 * tags on every request, and even resolved meters cost a handful of contended atomic operations per request.
 *
 * <p>The route is the template vertx-web reports ({@code /v1/numbers/:number}, never the raw path; {@code ""} for a
 * request no route matched); a method outside the registered ones is labelled {@code OTHER}. A request that ends on
 * another thread than it began is counted right all the same: the totals are sums, and each thread's part is written
 * by that thread only. A scrape reads counters being written, so it may miss the last few requests, never more.
 */
final class HttpRouteMetrics implements HttpServerMetrics<HttpRouteMetrics.Request, Void, Void>, MultiCollector {
  private static final int STATUSES = 600;
  /** Any method token is a valid request line; labelling each one would let a client grow the series without end. */
  private static final List<HttpMethod> METHODS = List.copyOf(HttpMethod.values());
  private static final Map<HttpMethod, Integer> METHOD_INDEX = new IdentityHashMap<>();
  private static final Map<HttpMethod, Integer> METHOD_INDEX_BY_VALUE = new java.util.HashMap<>();
  private static final int OTHER = METHODS.size();

  static {
    for (int i = 0; i < METHODS.size(); i++) {
      METHOD_INDEX.put(METHODS.get(i), i);
      METHOD_INDEX_BY_VALUE.put(METHODS.get(i), i);
    }
  }

  /** Upper bounds of the latency buckets, in seconds (the last, +Inf, implied). */
  static final double[] BOUNDS_SECONDS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5,
      10, 30};
  private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];
  private static final double[] BOUNDS_WITH_INF = new double[BOUNDS_SECONDS.length + 1];

  static {
    for (int i = 0; i < BOUNDS_SECONDS.length; i++) {
      BOUNDS_NANOS[i] = (long) (BOUNDS_SECONDS[i] * 1e9);
      BOUNDS_WITH_INF[i] = BOUNDS_SECONDS[i];
    }
    BOUNDS_WITH_INF[BOUNDS_SECONDS.length] = Double.POSITIVE_INFINITY;
  }

  /** The window of {@code _max}: the largest latency of the current and the previous window (about a minute each). */
  private static final int MAX_WINDOW_SHIFT = 36;

  /**
   * Each thread's counters. Netty's thread local: on Vert.x's event loops (Netty's own thread type) a lookup is an
   * array read, where a {@code ThreadLocal} searched a hash table four times per request.
   */
  private final FastThreadLocal<Loop> loops = new FastThreadLocal<>() {
    @Override
    protected Loop initialValue() {
      return newLoop();
    }
  };
  private final List<Loop> allLoops = new CopyOnWriteArrayList<>();

  /** One request in flight: when it began and the route(s) vertx-web matched. */
  static final class Request {
    final long start;
    final int method;
    String route = "";

    Request(int method, long start) {
      this.method = method;
      this.start = start;
    }
  }

  /** One route, method and status on one thread. Written by that thread only; read by scrapes. */
  private static final class Series {
    long sumNanos;
    final long[] buckets = new long[BOUNDS_SECONDS.length + 1];
    long window;
    long max;
    long previousMax;

    void record(long nanos, long now) {
      sumNanos += nanos;
      int bucket = 0;
      while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
        bucket++;
      }
      buckets[bucket]++;
      long w = now >> MAX_WINDOW_SHIFT;
      if (w != window) {
        previousMax = w == window + 1 ? max : 0;
        max = 0;
        window = w;
      }
      if (nanos > max) {
        max = nanos;
      }
    }

    long maxAt(long w) {
      long seenWindow = window;
      return seenWindow == w ? Math.max(max, previousMax) : seenWindow == w - 1 ? max : 0;
    }
  }

  /** One thread's counters. */
  private static final class Loop {
    /** route, then method index, then status (0 for one outside 0..599). */
    final ConcurrentHashMap<String, AtomicReferenceArray<AtomicReferenceArray<Series>>> series =
        new ConcurrentHashMap<>();
    final long[] active = new long[OTHER + 1];
    /** Requests begun per method, ever: a method's active gauge is shown once it had one. */
    final long[] begun = new long[OTHER + 1];
    long connections;
    long bytesRead;
    long bytesWritten;
    /** The last route asked for, to skip the map for a run of the same route (identity: Vert.x reuses it). */
    String lastRoute;
    AtomicReferenceArray<AtomicReferenceArray<Series>> lastByMethod;

    Series series(String route, int method, int status) {
      AtomicReferenceArray<AtomicReferenceArray<Series>> byMethod;
      if (route == lastRoute) {
        byMethod = lastByMethod;
      } else {
        byMethod = series.computeIfAbsent(route, r -> new AtomicReferenceArray<>(OTHER + 1));
        lastRoute = route;
        lastByMethod = byMethod;
      }
      AtomicReferenceArray<Series> byStatus = byMethod.get(method);
      if (byStatus == null) {
        byStatus = new AtomicReferenceArray<>(STATUSES + 1);
        byMethod.set(method, byStatus);
      }
      int slot = status >= 0 && status < STATUSES ? status : STATUSES;
      Series s = byStatus.get(slot);
      if (s == null) {
        s = new Series();
        byStatus.set(slot, s);
      }
      return s;
    }
  }

  /** The clock of latencies and of the {@code _max} window, in nanoseconds; {@code System::nanoTime} but in tests. */
  private final LongSupplier nanoClock;

  HttpRouteMetrics(PrometheusRegistry registry) {
    this(registry, System::nanoTime);
  }

  HttpRouteMetrics(PrometheusRegistry registry, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    registry.register(this);
  }

  private Loop newLoop() {
    Loop loop = new Loop();
    allLoops.add(loop);
    return loop;
  }

  private static int methodIndex(HttpMethod given) {
    Integer index = METHOD_INDEX.get(given);
    if (index == null) {
      index = METHOD_INDEX_BY_VALUE.get(given);
    }
    return index == null ? OTHER : index;
  }

  private static String methodName(int index) {
    return index == OTHER ? "OTHER" : METHODS.get(index).name();
  }

  @Override
  public Void connected(io.vertx.core.net.SocketAddress remoteAddress, String remoteName) {
    loops.get().connections++;
    return null;
  }

  @Override
  public void disconnected(Void socketMetric, io.vertx.core.net.SocketAddress remoteAddress) {
    loops.get().connections--;
  }

  @Override
  public void bytesRead(Void socketMetric, io.vertx.core.net.SocketAddress remoteAddress, long numberOfBytes) {
    loops.get().bytesRead += numberOfBytes;
  }

  @Override
  public void bytesWritten(Void socketMetric, io.vertx.core.net.SocketAddress remoteAddress, long numberOfBytes) {
    loops.get().bytesWritten += numberOfBytes;
  }

  @Override
  public Request requestBegin(Void socketMetric, HttpRequest request) {
    int method = methodIndex(request.method());
    Loop loop = loops.get();
    loop.active[method]++;
    loop.begun[method]++;
    return new Request(method, nanoClock.getAsLong());
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
    loops.get().active[request.method]--;
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    long now = nanoClock.getAsLong();
    Loop loop = loops.get();
    loop.active[request.method]--;
    loop.series(request.route, request.method, response.statusCode()).record(now - request.start, now);
  }

  /** Every thread's counters added up, as Prometheus snapshots (called by each scrape). */
  @Override
  public MetricSnapshots collect() {
    long window = nanoClock.getAsLong() >> MAX_WINDOW_SHIFT;
    // route, method, status -> totals over threads; sorted for a stable output.
    Map<String, Totals> totals = new TreeMap<>();
    long[] active = new long[OTHER + 1];
    long[] begun = new long[OTHER + 1];
    long connections = 0;
    long read = 0;
    long written = 0;
    for (Loop loop : allLoops) {
      connections += loop.connections;
      read += loop.bytesRead;
      written += loop.bytesWritten;
      for (int m = 0; m <= OTHER; m++) {
        active[m] += loop.active[m];
        begun[m] += loop.begun[m];
      }
      for (Map.Entry<String, AtomicReferenceArray<AtomicReferenceArray<Series>>> route : loop.series.entrySet()) {
        for (int m = 0; m <= OTHER; m++) {
          AtomicReferenceArray<Series> byStatus = route.getValue().get(m);
          for (int slot = 0; byStatus != null && slot <= STATUSES; slot++) {
            Series s = byStatus.get(slot);
            if (s != null) {
              String code = slot == STATUSES ? "0" : Integer.toString(slot);
              int method = m;
              totals.computeIfAbsent(route.getKey() + '\u0000' + m + '\u0000' + code,
                  k -> new Totals(route.getKey(), method, code)).add(s, window);
            }
          }
        }
      }
    }
    CounterSnapshot.Builder requests = CounterSnapshot.builder().name("vertx_http_server_requests")
        .help("Requests answered");
    HistogramSnapshot.Builder latency = HistogramSnapshot.builder().name("vertx_http_server_response_time_seconds")
        .help("Time from request start to response end");
    GaugeSnapshot.Builder max = GaugeSnapshot.builder().name("vertx_http_server_response_time_seconds_max")
        .help("Longest time from request start to response end in the last minute or two");
    for (Totals t : totals.values()) {
      Labels labels = Labels.of("code", t.code, "method", methodName(t.method), "route", t.route);
      requests.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(t.count).build());
      latency.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
          .classicHistogramBuckets(ClassicHistogramBuckets.of(BOUNDS_WITH_INF, t.buckets))
          .sum(t.sumNanos / 1e9).build());
      max.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(t.maxNanos / 1e9).build());
    }
    GaugeSnapshot.Builder activeRequests = GaugeSnapshot.builder().name("vertx_http_server_active_requests")
        .help("Requests being processed");
    for (int m = 0; m <= OTHER; m++) {
      if (begun[m] > 0) {
        activeRequests.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
            .labels(Labels.of("method", methodName(m))).value(active[m]).build());
      }
    }
    List<io.prometheus.metrics.model.snapshots.MetricSnapshot> all = new ArrayList<>();
    Collections.addAll(all, requests.build(), latency.build(), max.build(), activeRequests.build(),
        GaugeSnapshot.builder().name("vertx_http_server_active_connections").help("Open HTTP connections")
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(connections).build()).build(),
        CounterSnapshot.builder().name("vertx_http_server_bytes_read").help("Bytes received")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(read).build()).build(),
        CounterSnapshot.builder().name("vertx_http_server_bytes_written").help("Bytes sent")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(written).build()).build());
    return new MetricSnapshots(all);
  }

  /** One series added up over threads. */
  private static final class Totals {
    final String route;
    final int method;
    final String code;
    long count;
    long sumNanos;
    final long[] buckets = new long[BOUNDS_SECONDS.length + 1];
    long maxNanos;

    Totals(String route, int method, String code) {
      this.route = route;
      this.method = method;
      this.code = code;
    }

    void add(Series s, long window) {
      // Read the buckets first: the count is then at least their sum, as a scrape must never see more in the
      // buckets than in the count.
      long bucketSum = 0;
      for (int i = 0; i < buckets.length; i++) {
        long b = s.buckets[i];
        buckets[i] += b;
        bucketSum += b;
      }
      count += bucketSum;
      sumNanos += s.sumNanos;
      maxNanos = Math.max(maxNanos, s.maxAt(window));
    }
  }
}
