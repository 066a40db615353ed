package org.dunblock.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A light open-model load generator: requests leave at a constant arrival rate whatever the server does, and each
 * latency is measured from the request's <em>intended</em> send time, so a stalled server shows up in the
 * percentiles instead of silently slowing the generator down (no coordinated omission). Latencies go into an
 * HdrHistogram (1 µs to 60 s, 3 digits).
 *
 * <p>One pacing thread wakes when requests fall due and hands them, in one batch per wake-up, to a single Vert.x
 * event loop that sends them over a bounded pool of keep-alive connections and records their latency. Gatling's per-user machinery costs too much CPU to share two cores with
 * the server; this costs about as much as wrk (bench.sh prints both generators' CPU).
 *
 * <pre>
 *   java -cp load-tests/target/benchmarks.jar org.dunblock.bench.OpenLoad url=http://127.0.0.1:8080 \
 *       scenario=unreported rate=5000 seconds=10 [connections=64] [reported=1000000] [tokens=FILE] [warmup=2]
 * </pre>
 * Prints one line: {@code RESULT rate=.. sent=.. ok=.. errors=.. not_sent=.. p50_ms=.. p99_ms=.. p999_ms=.. max_ms=..
 * cpu_pct=..} (sent counts the scheduled requests; not_sent those dropped as the generator's backlog was full).
 */
public final class OpenLoad {
  private static final long DRAIN_DEADLINE_MS = 15_000;
  private static final long HISTOGRAM_MAX_US = TimeUnit.SECONDS.toMicros(60);
  private static final int MAX_IN_FLIGHT_PER_CONNECTION = 64;

  private OpenLoad() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    URI url = URI.create(a.get("url"));
    double rate = Double.parseDouble(a.get("rate"));
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "2"));
    int connections = Integer.parseInt(a.getOrDefault("connections", "64"));
    if (rate < 1 || rate > 200_000 || seconds < 1 || seconds > 120 || warmup < 0 || warmup > 60
        || connections < 1 || connections > 1024) {
      throw new IllegalArgumentException("rate 1..200000, seconds 1..120, warmup 0..60, connections 1..1024");
    }
    BenchRequest.Source source = BenchRequest.source(a.getOrDefault("scenario", "unreported"),
        Integer.parseInt(a.getOrDefault("reported", "1000000")),
        a.containsKey("tokens") ? Path.of(a.get("tokens")) : null);

    Result result = measure(url, source, rate, seconds, warmup, connections);
    Histogram latency = result.latency();
    System.out.printf(java.util.Locale.ROOT,
        "RESULT rate=%.0f sent=%d ok=%d errors=%d not_sent=%d p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f"
            + " cpu_pct=%.0f%n",
        rate, result.sent(), result.ok(), result.errors(), result.notSent(),
        latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
        latency.getValueAtPercentile(99.9) / 1000.0, latency.getMaxValue() / 1000.0, result.cpuPercent());
  }

  /**
   * One measured run: {@code sent} requests scheduled, how many were answered below 400, failed or were not sent,
   * their latencies from the intended send times (µs), and this process's CPU meanwhile (100 = one core).
   */
  public record Result(long sent, long ok, long errors, long notSent, Histogram latency, double cpuPercent) {
  }

  /** Warms up for {@code warmup} s, then measures {@code seconds} s at {@code rate} requests/s. */
  public static Result measure(URI url, BenchRequest.Source source, double rate, int seconds, int warmup,
      int connections) throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    Context context = vertx.getOrCreateContext();
    try {
      // Warm-up at the same rate, not recorded: the JIT of both sides settles first. Each phase has its own
      // connections, closed at its end, so nothing left over from the warm-up queues ahead of the measurement.
      if (warmup > 0) {
        run(vertx, context, url, connections, source, rate, warmup, new Histogram(HISTOGRAM_MAX_US, 3));
      }
      Histogram latency = new Histogram(HISTOGRAM_MAX_US, 3);
      long cpu0 = processCpuNanos();
      long wall0 = System.nanoTime();
      long[] counts = run(vertx, context, url, connections, source, rate, seconds, latency);
      double cpuPct = 100.0 * (processCpuNanos() - cpu0) / (System.nanoTime() - wall0);
      return new Result(counts[0], counts[1], counts[2], counts[3], latency, cpuPct);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Sends rate × seconds requests on schedule; returns {scheduled, ok, errors, not sent} once all are answered (or
   * the deadline). A request that falls due while {@link #MAX_IN_FLIGHT_PER_CONNECTION} per connection are still
   * unanswered is not sent and counts as an error: past that the machine cannot carry the rate, and the run says so
   * instead of queueing without bound.
   */
  private static long[] run(Vertx vertx, Context context, URI url, int connections, BenchRequest.Source source,
      double rate, int seconds, Histogram latency) throws Exception {
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions()
            .setDefaultHost(url.getHost()).setDefaultPort(url.getPort()).setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections));
    long total = Math.round(rate * seconds);
    double intervalNs = 1e9 / rate;
    SplittableRandom random = new SplittableRandom();
    long maxInFlight = (long) connections * MAX_IN_FLIGHT_PER_CONNECTION;
    long[] ok = new long[1];
    long[] errors = new long[1];
    long[] notSent = new long[1];
    long[] inFlight = new long[1];
    CountDownLatch answered = new CountDownLatch((int) total);
    long start = System.nanoTime();
    long next = 0;
    while (next < total) {
      long now = System.nanoTime();
      long due = Math.min(total, (long) ((now - start) / intervalNs) + 1);
      if (due <= next) {
        LockSupport.parkNanos(start + (long) (next * intervalNs) - now);
        continue;
      }
      // Everything due goes to the event loop in one hand-over; the loop alone touches the histogram.
      long from = next;
      long to = due;
      context.runOnContext(v -> {
        for (long i = from; i < to; i++) {
          if (inFlight[0] >= maxInFlight) {
            notSent[0]++;
            errors[0]++;
            answered.countDown();
            continue;
          }
          inFlight[0]++;
          send(client, source.next(random), start + (long) (i * intervalNs), latency, ok, errors, answered,
              inFlight);
        }
      });
      next = due;
    }
    if (!answered.await(DRAIN_DEADLINE_MS, TimeUnit.MILLISECONDS)) {
      context.runOnContext(v -> errors[0] += answered.getCount());
    }
    long[] counts = new long[4];
    CountDownLatch read = new CountDownLatch(1);
    context.runOnContext(v -> {
      counts[0] = total;
      counts[1] = ok[0];
      counts[2] = errors[0];
      counts[3] = notSent[0];
      read.countDown();
    });
    read.await(5, TimeUnit.SECONDS);
    client.close().await(30, TimeUnit.SECONDS);
    return counts;
  }

  private static void send(HttpClientAgent client, BenchRequest request, long intended, Histogram latency,
      long[] ok, long[] errors, CountDownLatch answered, long[] inFlight) {
    RequestOptions options = new RequestOptions().setMethod(request.method()).setURI(request.path());
    if (request.token() != null) {
      options.putHeader("Authorization", "Bearer " + request.token());
    }
    if (request.forwardedFor() != null) {
      options.putHeader("X-Forwarded-For", request.forwardedFor());
    }
    if (request.body() != null) {
      options.putHeader("Content-Type", "application/json");
    }
    client.request(options)
        .compose(r -> request.body() == null ? r.send() : r.send(Buffer.buffer(request.body())))
        .compose(response -> response.body().map(body -> response.statusCode()))
        .onComplete(ar -> {
          // Latency from the intended send time: time spent queued for a connection counts.
          latency.recordValue(Math.min(HISTOGRAM_MAX_US, (System.nanoTime() - intended) / 1000));
          inFlight[0]--;
          if (ar.succeeded() && ar.result() < 400) {
            ok[0]++;
          } else {
            errors[0]++;
          }
          answered.countDown();
        });
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
