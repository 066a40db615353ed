package org.dunblock.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A light open-model load generator: requests leave at a constant arrival rate whatever the server does, and each
 * latency is measured from the request's <em>intended</em> send time, so a stalled server shows up in the
 * percentiles instead of silently slowing the generator down (no coordinated omission). Latencies go into an
 * HdrHistogram (1 µs to 60 s, 3 digits).
 *
 * <p>One thread does everything over plain non-blocking sockets: it queues the requests that fell due, sends each
 * on an idle keep-alive connection (one request in flight per connection, like wrk), reads the answers (complete by
 * Content-Length or chunked framing: {@link HttpAnswer}) and records them. No HTTP client library, no hand-over
 * between threads: at ten thousand requests a second it needs a fraction of a core, so on a small machine the
 * generator does not take the CPU the server under test needs (bench.sh prints its CPU beside wrk's).
 *
 * <pre>
 *   java -cp load-tests/target/benchmarks.jar org.dunblock.bench.OpenLoad url=http://127.0.0.1:8080 \
 *       scenario=unreported rate=5000 seconds=10 [connections=64] [reported=1000000] [hot=50000]
 *       [tokens=FILE] [warmup=2] [clients=0]
 * </pre>
 * Prints one line: {@code RESULT rate=.. sent=.. ok=.. errors=.. not_sent=.. p50_ms=.. p99_ms=.. p999_ms=.. max_ms=..
 * cpu_pct=..} (sent counts the scheduled requests; not_sent those dropped as the generator's backlog was full).
 */
public final class OpenLoad {
  private static final long DRAIN_DEADLINE_MS = 15_000;
  private static final long HISTOGRAM_MAX_US = TimeUnit.SECONDS.toMicros(60);
  private static final int MAX_QUEUED_PER_CONNECTION = 64;
  private static final long MAX_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

  private OpenLoad() {
  }

  /**
   * With {@code clients} > 0, each request without an address of its own comes from one of that many clients
   * (X-Forwarded-For 10.x.y.z, drawn uniformly; the server must trust the generator as a proxy), so per-client
   * state such as the lookup limit's counts is exercised; 0 leaves the requests as they are.
   */
  static BenchRequest.Source fromClients(BenchRequest.Source source, int clients) {
    if (clients == 0) {
      return source;
    }
    return random -> {
      BenchRequest request = source.next(random);
      if (request.forwardedFor() != null) {
        return request;
      }
      int c = random.nextInt(clients);
      return new BenchRequest(request.method(), request.path(), request.body(), request.token(),
          "10." + ((c >>> 16) & 255) + "." + ((c >>> 8) & 255) + "." + (c & 255));
    };
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
    int clients = Integer.parseInt(a.getOrDefault("clients", "0"));
    if (clients < 0 || clients > 1 << 24) {
      throw new IllegalArgumentException("clients 0..16777216");
    }
    BenchRequest.Source source = fromClients(BenchRequest.source(a.getOrDefault("scenario", "unreported"),
        Integer.parseInt(a.getOrDefault("reported", "1000000")), Integer.parseInt(a.getOrDefault("hot", "50000")),
        a.containsKey("tokens") ? Path.of(a.get("tokens")) : null), clients);

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
      int connections) throws IOException {
    // Warm-up at the same rate, not recorded: the JIT of both sides settles first. Each phase has its own
    // connections, closed at its end, so nothing left over from the warm-up queues ahead of the measurement.
    if (warmup > 0) {
      new Run(url, source, rate, warmup, connections, new Histogram(HISTOGRAM_MAX_US, 3)).run();
    }
    Histogram latency = new Histogram(HISTOGRAM_MAX_US, 3);
    long cpu0 = processCpuNanos();
    long wall0 = System.nanoTime();
    Run run = new Run(url, source, rate, seconds, connections, latency);
    run.run();
    double cpuPct = 100.0 * (processCpuNanos() - cpu0) / (System.nanoTime() - wall0);
    return new Result(run.total, run.ok, run.errors, run.notSent, latency, cpuPct);
  }

  /**
   * One phase: sends rate × seconds requests on schedule and waits for their answers (or the drain deadline). A
   * request that falls due while every connection is busy waits in a backlog, its latency running from its intended
   * time; past {@link #MAX_QUEUED_PER_CONNECTION} per connection it is not sent and counts as an error: the machine
   * cannot carry the rate then, and the run says so instead of queueing without bound.
   */
  private static final class Run {
    private final InetSocketAddress address;
    private final String host;
    private final BenchRequest.Source source;
    private final SplittableRandom random = new SplittableRandom();
    private final Histogram latency;
    private final long total;
    private final double intervalNs;
    private final int connections;
    private final ArrayDeque<Long> backlog = new ArrayDeque<>();
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private Selector selector;
    long ok;
    long errors;
    long notSent;
    private long done;

    Run(URI url, BenchRequest.Source source, double rate, int seconds, int connections, Histogram latency) {
      this.address = new InetSocketAddress(url.getHost(), url.getPort());
      this.host = url.getHost() + ":" + url.getPort();
      this.source = source;
      this.latency = latency;
      this.total = Math.round(rate * seconds);
      this.intervalNs = 1e9 / rate;
      this.connections = connections;
    }

    void run() throws IOException {
      selector = Selector.open();
      try {
        for (int i = 0; i < connections; i++) {
          idle.add(open());
        }
        long start = System.nanoTime();
        long deadline = start + (long) (total * intervalNs) + TimeUnit.MILLISECONDS.toNanos(DRAIN_DEADLINE_MS);
        long next = 0;
        long maxQueued = (long) connections * MAX_QUEUED_PER_CONNECTION;
        while (done < total) {
          long now = System.nanoTime();
          if (now > deadline) {
            errors += total - done;
            break;
          }
          for (; next < total && start + (long) (next * intervalNs) <= now; next++) {
            if (backlog.size() >= maxQueued) {
              notSent++;
              errors++;
              done++;
            } else {
              backlog.add(start + (long) (next * intervalNs));
            }
          }
          while (!backlog.isEmpty() && !idle.isEmpty()) {
            idle.poll().send(backlog.poll());
          }
          await(next < total ? start + (long) (next * intervalNs) - System.nanoTime() : Long.MAX_VALUE);
          Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
          while (keys.hasNext()) {
            SelectionKey key = keys.next();
            keys.remove();
            ((Connection) key.attachment()).ready(key);
          }
        }
      } finally {
        for (SelectionKey key : selector.keys()) {
          key.channel().close();
        }
        selector.close();
      }
    }

    /**
     * Waits for answers until the next request falls due. Java's select times out in whole milliseconds, so a
     * shorter wait polls and then parks for at most {@link #MAX_PARK_NS}: an answer arriving meanwhile is read at
     * most that late (its latency overstated by as much), and the generator does not spin a core.
     */
    private void await(long untilNextNs) throws IOException {
      if (untilNextNs >= 1_000_000) {
        selector.select(Math.min(untilNextNs / 1_000_000, 100));
      } else if (selector.selectNow() == 0 && untilNextNs > 0) {
        LockSupport.parkNanos(Math.min(untilNextNs, MAX_PARK_NS));
        selector.selectNow();
      }
    }

    private Connection open() throws IOException {
      SocketChannel channel = SocketChannel.open(address);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.configureBlocking(false);
      Connection connection = new Connection(channel);
      channel.register(selector, SelectionKey.OP_READ, connection);
      return connection;
    }

    /** The answer to a connection's request is complete: record it and put the connection back to work. */
    private void answered(Connection connection, int status) {
      latency.recordValue(Math.min(HISTOGRAM_MAX_US, (System.nanoTime() - connection.intended) / 1000));
      if (status >= 200 && status < 400) {
        ok++;
      } else {
        errors++;
      }
      done++;
      connection.intended = -1;
      idle.add(connection);
    }

    /** A connection failed (or the server closed it): its request is an error and a new connection replaces it. */
    private void failed(Connection connection) throws IOException {
      connection.channel.close();
      if (connection.intended >= 0) {
        latency.recordValue(Math.min(HISTOGRAM_MAX_US, (System.nanoTime() - connection.intended) / 1000));
        errors++;
        done++;
      }
      idle.add(open());
    }

    private byte[] request(BenchRequest request) {
      StringBuilder head = new StringBuilder(256).append(request.method().name()).append(' ').append(request.path())
          .append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
      if (request.token() != null) {
        head.append("Authorization: Bearer ").append(request.token()).append("\r\n");
      }
      if (request.forwardedFor() != null) {
        head.append("X-Forwarded-For: ").append(request.forwardedFor()).append("\r\n");
      }
      byte[] body = request.body() == null ? new byte[0] : request.body().getBytes(StandardCharsets.UTF_8);
      if (request.body() != null) {
        head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
      }
      byte[] start = head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
      byte[] all = Arrays.copyOf(start, start.length + body.length);
      System.arraycopy(body, 0, all, start.length, body.length);
      return all;
    }

    /** One keep-alive connection with at most one request in flight (no pipelining, like wrk). */
    private final class Connection {
      final SocketChannel channel;
      final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      ByteBuffer out;
      long intended = -1;

      Connection(SocketChannel channel) {
        this.channel = channel;
      }

      void send(long intendedNs) throws IOException {
        intended = intendedNs;
        out = ByteBuffer.wrap(request(source.next(random)));
        write();
      }

      private void write() throws IOException {
        try {
          channel.write(out);
        } catch (IOException e) {
          failed(this);
          return;
        }
        channel.keyFor(selector).interestOps(out.hasRemaining()
            ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
      }

      void ready(SelectionKey key) throws IOException {
        if (!key.isValid()) {
          return;
        }
        if (key.isWritable()) {
          write();
        }
        if (!key.isValid() || !key.isReadable()) {
          return;
        }
        int read;
        try {
          read = channel.read(in);
        } catch (IOException e) {
          read = -1;
        }
        if (read < 0 || !in.hasRemaining()) {
          key.cancel();
          failed(this);
          return;
        }
        int status = HttpAnswer.complete(in);
        if (status == HttpAnswer.INCOMPLETE) {
          return;
        }
        in.clear();
        if (intended >= 0) {
          answered(this, status);
        }
      }
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
