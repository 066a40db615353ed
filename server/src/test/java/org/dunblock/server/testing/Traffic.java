package org.dunblock.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.dunblock.server.store.KeySchema;

/**
 * Mixed lookups and reports against one or more server instances while a test breaks something, from clients that
 * behave as the SDK does: a report that gets 503 (or no answer, or a dead connection) is sent again with the same
 * Idempotency-Key, to the next instance when the connection failed, until it is acknowledged. Records what users
 * saw: every lookup's status, latency and degraded flag, every 503 and whether it carried Retry-After, and the
 * acknowledged reports, which {@link #assertStoredExactlyOnce} then finds in Redis.
 */
public final class Traffic implements AutoCloseable {
  /** How long a client waits for any answer before it calls the server hung. */
  private static final long CLIENT_TIMEOUT_MS = 5_000;
  private static final long RETRY_DELAY_MS = 50;
  private static final int TOKENS = 20;

  private final Vertx vertx;
  private final WebClient client;
  private final int[] ports;
  private final List<String> tokens = new ArrayList<>();
  private final AtomicInteger nextReport = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger portIndex = new AtomicInteger();
  private final Map<String, String> acknowledged = new ConcurrentHashMap<>(); // reportId -> number
  private final List<String> errors = new CopyOnWriteArrayList<>();
  private final AtomicLong lookups = new AtomicLong();
  private final AtomicLong degraded = new AtomicLong();
  private final AtomicLong maxLookupMs = new AtomicLong();
  private final AtomicLong refusals = new AtomicLong();
  private final AtomicLong replays = new AtomicLong();
  private volatile boolean running;

  private Traffic(Vertx vertx, int[] ports) {
    this.vertx = vertx;
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setConnectTimeout(2_000), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    this.ports = ports;
  }

  /** Prepares reporter tokens on the first instance (it and Redis must be up); nothing is sent yet. */
  public static Traffic against(Vertx vertx, int... ports) {
    Traffic traffic = new Traffic(vertx, ports);
    Api api = new Api(vertx, ports[0]);
    try {
      for (int i = 0; i < TOKENS; i++) {
        traffic.tokens.add(api.newToken());
      }
    } finally {
      api.close();
    }
    return traffic;
  }

  /** Starts {@code reporters} report loops and {@code readers} lookup loops, each one request at a time. */
  public Traffic start(int reporters, int readers) {
    running = true;
    for (int i = 0; i < reporters; i++) {
      nextReport();
    }
    for (int i = 0; i < readers; i++) {
      nextLookup();
    }
    return this;
  }

  /** Stops starting new work and waits until every report already begun is acknowledged. */
  public void stopAndSettle(Duration limit) {
    running = false;
    Conditions.waitUntil("every report begun is acknowledged", limit, () -> inFlight.get() == 0);
  }

  public int acknowledgedCount() {
    return acknowledged.size();
  }

  /** Waits until {@code more} reports beyond the current count are acknowledged; returns how long that took. */
  public Duration awaitMoreAcknowledged(int more, Duration limit) {
    long start = System.nanoTime();
    int target = acknowledged.size() + more;
    Conditions.waitUntil(more + " more reports acknowledged", limit, () -> acknowledged.size() >= target);
    return Duration.ofNanos(System.nanoTime() - start);
  }

  public long lookups() {
    return lookups.get();
  }

  public long degradedLookups() {
    return degraded.get();
  }

  public long maxLookupMillis() {
    return maxLookupMs.get();
  }

  /** Reports refused with 503 + Retry-After (each retry counts). */
  public long refusals() {
    return refusals.get();
  }

  /** Retries answered from the Idempotency-Key record: the first attempt was stored but its answer lost. */
  public long replays() {
    return replays.get();
  }

  /** What no client should ever see: a 5xx other than 503 + Retry-After, a lookup failure, a client timeout. */
  public List<String> errors() {
    return List.copyOf(errors);
  }

  private int port() {
    return ports[Math.floorMod(portIndex.get(), ports.length)];
  }

  private void nextReport() {
    if (!running) {
      return;
    }
    int n = nextReport.getAndIncrement();
    int reporter = n % TOKENS;
    // Every (reporter, number) pair once, so every acknowledged report counts.
    String number = String.format("+86138%08d", n / TOKENS);
    JsonObject body = new JsonObject().put("number", number).put("category", "DEBT_COLLECTION");
    inFlight.incrementAndGet();
    sendReport(reporter, body, UUID.randomUUID().toString());
  }

  private void sendReport(int reporter, JsonObject body, String idempotencyKey) {
    int port = port();
    HttpRequest<Buffer> request = client.request(HttpMethod.POST, port, "127.0.0.1", "/v1/reports")
        .timeout(CLIENT_TIMEOUT_MS)
        .putHeader("Authorization", "Bearer " + tokens.get(reporter))
        .putHeader("X-Forwarded-For", "203.0." + reporter + ".1")
        .putHeader("Idempotency-Key", idempotencyKey);
    request.sendJsonObject(body).onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 202) {
        acknowledged.put(ar.result().bodyAsJsonObject().getString("reportId"), body.getString("number"));
        if ("true".equals(ar.result().getHeader("Idempotent-Replayed"))) {
          replays.incrementAndGet();
        }
        inFlight.decrementAndGet();
        nextReport();
        return;
      }
      if (ar.succeeded()) {
        HttpResponse<Buffer> response = ar.result();
        if (response.statusCode() == 503 && response.getHeader("Retry-After") != null) {
          refusals.incrementAndGet();
        } else {
          errors.add("report: " + response.statusCode() + " " + response.bodyAsString());
        }
      } else if (ar.cause() instanceof java.util.concurrent.TimeoutException) {
        errors.add("report: no answer within " + CLIENT_TIMEOUT_MS + " ms");
      } else {
        // The instance is gone (connection refused or reset): the retry goes to the next one.
        int failed = indexOf(port);
        portIndex.updateAndGet(i -> Math.floorMod(i, ports.length) == failed ? i + 1 : i);
      }
      vertx.setTimer(RETRY_DELAY_MS, t -> sendReport(reporter, body, idempotencyKey));
    });
  }

  private int indexOf(int port) {
    for (int i = 0; i < ports.length; i++) {
      if (ports[i] == port) {
        return i;
      }
    }
    return -1;
  }

  private void nextLookup() {
    if (!running) {
      return;
    }
    long seen = lookups.incrementAndGet();
    // Alternate a reported number (read from Redis) with an unreported one (answered by the filter).
    String number = seen % 2 == 0 ? "+86138" + String.format("%08d", seen % Math.max(1, nextReport.get() / TOKENS))
        : "+86139" + String.format("%08d", seen);
    long start = System.nanoTime();
    client.request(HttpMethod.GET, port(), "127.0.0.1", "/v1/numbers/" + number).timeout(CLIENT_TIMEOUT_MS).send()
        .onComplete(ar -> {
          long ms = (System.nanoTime() - start) / 1_000_000;
          maxLookupMs.accumulateAndGet(ms, Math::max);
          if (ar.succeeded() && ar.result().statusCode() == 200) {
            if (Boolean.TRUE.equals(ar.result().bodyAsJsonObject().getBoolean("degraded"))) {
              degraded.incrementAndGet();
            }
          } else {
            errors.add("lookup: " + (ar.succeeded() ? ar.result().statusCode() + " " + ar.result().bodyAsString()
                : ar.cause().toString()));
          }
          nextLookup();
        });
  }

  /**
   * Every acknowledged report is in Redis's report log exactly once, nothing else is (each report begun was
   * retried until acknowledged), and every number counts exactly the reports acknowledged for it.
   */
  public void assertStoredExactlyOnce(RedisClusterCommands<String, String> redis, Api api) {
    List<String> logged = new ArrayList<>();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      for (StreamMessage<String, String> entry : redis.xrange(KeySchema.reports(shard), Range.create("-", "+"))) {
        logged.add(entry.getBody().get("id"));
      }
    }
    Set<String> distinct = new HashSet<>(logged);
    assertEquals(logged.size(), distinct.size(), "no report stored twice");
    assertEquals(acknowledged.keySet(), distinct, "the report log holds exactly the acknowledged reports");
    Map<String, Integer> perNumber = new HashMap<>();
    acknowledged.values().forEach(number -> perNumber.merge(number, 1, Integer::sum));
    perNumber.forEach((number, count) -> assertEquals(count.longValue(), api.lookup(number).getLong("reports"),
        "reports counted for " + number));
    assertTrue(!acknowledged.isEmpty());
  }

  @Override
  public void close() {
    running = false;
    client.close();
  }
}
