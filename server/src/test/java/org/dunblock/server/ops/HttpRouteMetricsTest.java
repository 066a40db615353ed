package org.dunblock.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The per-thread counters add up to what one shared meter would have counted, in the series Vert.x's metrics
 * name (what dashboards and ObservabilityIT read from {@code /metrics}).
 */
class HttpRouteMetricsTest {
  static final String ROUTE = "/v1/numbers/:number";

  record Req(HttpMethod method) implements HttpRequest {
    public int id() { return 1; }
    public String uri() { return "/v1/numbers/+8613800138000"; }
    public String absoluteURI() { return uri(); }
    public MultiMap headers() { return MultiMap.caseInsensitiveMultiMap(); }
    public SocketAddress remoteAddress() { return SocketAddress.inetSocketAddress(1, "127.0.0.1"); }
  }

  record Res(int statusCode) implements HttpResponse {
    public MultiMap headers() { return MultiMap.caseInsensitiveMultiMap(); }
  }

  /**
   * Each thread's own clock, in nanoseconds, inside one {@code _max} window: a request takes exactly what
   * {@link #serve} says, however the host schedules the threads.
   */
  static final ThreadLocal<long[]> CLOCK = ThreadLocal.withInitial(() -> new long[] {5L << 36});

  static void serve(HttpRouteMetrics metrics, HttpMethod method, int status, long tookNanos) {
    HttpRouteMetrics.Request r = metrics.requestBegin(null, new Req(method));
    metrics.requestRouted(r, ROUTE);
    CLOCK.get()[0] += tookNanos;
    metrics.responseEnd(r, new Res(status), 10);
    metrics.bytesWritten(null, null, 100);
  }

  static double value(String scrape, String line) {
    for (String l : scrape.split("\n")) {
      if (l.startsWith(line + " ")) {
        return Double.parseDouble(l.substring(line.length() + 1));
      }
    }
    throw new AssertionError(line + " missing from\n" + scrape);
  }

  @Test
  void threadsCountApartAndAScrapeAddsThemUp() throws InterruptedException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    HttpRouteMetrics metrics = new HttpRouteMetrics(registry.getPrometheusRegistry(), () -> CLOCK.get()[0]);
    Thread[] loops = new Thread[4];
    for (int t = 0; t < loops.length; t++) {
      loops[t] = new Thread(() -> {
        metrics.connected(null, null);
        for (int i = 0; i < 25_000; i++) {
          serve(metrics, HttpMethod.GET, 200, 0);
        }
        serve(metrics, HttpMethod.GET, 404, 3_000_000);
        serve(metrics, HttpMethod.valueOf("BREWCOFFEE"), 400, 0);
      });
      loops[t].start();
    }
    for (Thread loop : loops) {
      loop.join();
    }
    // One request still in flight on this thread.
    metrics.requestBegin(null, new Req(HttpMethod.POST));

    String scrape = registry.scrape();
    String ok = "{code=\"200\",method=\"GET\",route=\"" + ROUTE + "\"}";
    String missing = "{code=\"404\",method=\"GET\",route=\"" + ROUTE + "\"}";
    assertEquals(100_000, value(scrape, "vertx_http_server_requests_total" + ok));
    assertEquals(4, value(scrape, "vertx_http_server_requests_total" + missing));
    assertEquals(4, value(scrape, "vertx_http_server_requests_total{code=\"400\",method=\"OTHER\",route=\""
        + ROUTE + "\"}"), "an invented method is OTHER");
    // Buckets are cumulative: the four 3 ms answers are above 2 ms and within 5 ms.
    String le = "vertx_http_server_response_time_seconds_bucket{code=\"404\",method=\"GET\",";
    assertEquals(0, value(scrape, le + "route=\"" + ROUTE + "\",le=\"0.002\"}"));
    assertEquals(4, value(scrape, le + "route=\"" + ROUTE + "\",le=\"0.005\"}"));
    assertEquals(4, value(scrape, le + "route=\"" + ROUTE + "\",le=\"+Inf\"}"));
    assertEquals(4, value(scrape, "vertx_http_server_response_time_seconds_count" + missing));
    assertEquals(0.012, value(scrape, "vertx_http_server_response_time_seconds_sum" + missing), 1e-9);
    assertEquals(0.003, value(scrape, "vertx_http_server_response_time_seconds_max" + missing), 1e-9);
    assertEquals(100_000, value(scrape, "vertx_http_server_response_time_seconds_bucket{code=\"200\","
        + "method=\"GET\",route=\"" + ROUTE + "\",le=\"+Inf\"}"));
    assertEquals(1, value(scrape, "vertx_http_server_active_requests{method=\"POST\"}"));
    assertEquals(0, value(scrape, "vertx_http_server_active_requests{method=\"GET\"}"));
    assertEquals(4, value(scrape, "vertx_http_server_active_connections"));
    assertEquals(4 * 25_002 * 100, value(scrape, "vertx_http_server_bytes_written_total"));
  }
}
