package org.dunblock.server.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import org.dunblock.server.filter.NumberFilter;

/**
 * Gauges for operators that no single feature owns: how full the filter is and how often it answers alone, and
 * how much work waits on the event loops. Request rates and latencies per route come from {@link HttpRouteMetrics}
 * (labelled with the route template, never the raw path), Redis timings from the store.
 */
public final class ServerMetrics {
  private ServerMetrics() {
  }

  public static void bind(MeterRegistry registry, NumberFilter filter, Vertx vertx) {
    Gauge.builder("dunblock.filter.approximate.numbers", filter, NumberFilter::approximateSize)
        .description("Numbers (and range and prefix entries) in this instance's filter, approximately")
        .register(registry);
    Gauge.builder("dunblock.filter.expected.fpp", filter, NumberFilter::expectedFpp)
        .description("The filter's false-positive probability estimated from its current fill")
        .register(registry);
    Gauge.builder("dunblock.lookups.fast.path.ratio", registry, ServerMetrics::fastPathRatio)
        .description("Share of lookups since start answered by the filter alone, without Redis")
        .register(registry);
    Gauge.builder("dunblock.event.loop.pending.tasks", vertx, ServerMetrics::pendingTasks)
        .description("Tasks queued on the event loops, summed: a growing queue means the server falls behind")
        .register(registry);
  }

  private static double fastPathRatio(MeterRegistry registry) {
    double filter = 0;
    double all = 0;
    for (Counter counter : registry.find("dunblock.lookups").counters()) {
      all += counter.count();
      if ("filter".equals(counter.getId().getTag("path"))) {
        filter += counter.count();
      }
    }
    return all == 0 ? Double.NaN : filter / all;
  }

  private static double pendingTasks(Vertx vertx) {
    long pending = 0;
    for (EventExecutor loop : ((VertxInternal) vertx).nettyEventLoopGroup()) {
      if (loop instanceof SingleThreadEventExecutor executor) {
        pending += executor.pendingTasks();
      }
    }
    return pending;
  }
}
