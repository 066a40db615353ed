package org.dunblock.server.lookup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.dunblock.server.store.RateLimitedException;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers looked up per client address (IPv4 address, IPv6 /64) per minute, shared by all instances through Redis
 * without putting a Redis command on the lookup path (rule 2): each instance counts locally and every
 * {@value #FLUSH_MS} ms sends one INCRBY and PEXPIRE per active client, learning from the reply what every instance
 * counted so far. The limit therefore holds across instances approximately: an instance may let through what a
 * client sent it since its last flush before it learns that other instances spent the allowance.
 *
 * <pre>
 * dunblock:rl:lookups:&lt;keyed hash of the client&gt;:&lt;minute&gt;   string  numbers looked up; expires after 2 minutes
 * </pre>
 */
public final class LookupLimiter {
  static final long WINDOW_MS = 60_000;
  static final long FLUSH_MS = 500;
  /** Clients tracked per instance per minute; past this, new clients go uncounted (fail open) until the next one. */
  static final int MAX_CLIENTS = 200_000;
  private static final Logger LOG = LoggerFactory.getLogger(LookupLimiter.class);

  private final ReputationStore store;
  private final ReporterTokens tokens;
  private final ClientAddress clientAddress;
  private final Clock clock;
  private final int limit;
  private final Map<String, Usage> usage = new ConcurrentHashMap<>();
  private final Counter limited;

  /** One client's minute as this instance knows it. */
  private static final class Usage {
    final long window;
    /** Counted here, not yet sent to Redis. */
    final AtomicLong unflushed = new AtomicLong();
    /** Sent to Redis, reply pending. */
    final AtomicLong inFlight = new AtomicLong();
    /** The shared count Redis last replied (every instance's flushed lookups). */
    volatile long global;

    Usage(long window) {
      this.window = window;
    }

    long used() {
      return global + inFlight.get() + unflushed.get();
    }
  }

  /** {@code perMinute} 0 turns the limit off. */
  public LookupLimiter(ReputationStore store, ReporterTokens tokens, ClientAddress clientAddress, Clock clock,
      int perMinute, MeterRegistry registry) {
    this.store = store;
    this.tokens = tokens;
    this.clientAddress = clientAddress;
    this.clock = clock;
    this.limit = perMinute;
    this.limited = Counter.builder("dunblock.rate.limited").tag("limit", "lookups")
        .description("Requests refused with 429 by a rate limit").register(registry);
    Gauge.builder("dunblock.lookup.limiter.clients", usage, Map::size)
        .description("Client addresses this instance counts lookups for this minute").register(registry);
  }

  /** Starts the periodic flush to Redis (nothing to do while the limit is off). */
  public void start(Vertx vertx) {
    if (limit > 0) {
      vertx.setPeriodic(FLUSH_MS, id -> flush());
    }
  }

  /**
   * Counts {@code numbers} lookups by the request's client, or fails with 429 rate_limited when the client already used
   * its allowance this minute. A batch counts each number and is refused only once the allowance is spent, so one batch
   * may overshoot it.
   */
  public void admit(HttpServerRequest request, int numbers) {
    if (limit == 0) {
      return; // off: not even the client's address is worked out
    }
    InetAddress client = clientAddress.of(request);
    long now = clock.millis();
    long window = now / WINDOW_MS;
    String key = clientKey(client);
    Usage current = usage.get(key);
    if (current == null || current.window != window) {
      if (current == null && usage.size() >= MAX_CLIENTS) {
        return;
      }
      Usage fresh = new Usage(window);
      current = usage.compute(key, (k, old) -> old == null || old.window != window ? fresh : old);
    }
    if (current.used() >= limit) {
      limited.increment();
      throw new RateLimitedException("Too many lookups from this address", WINDOW_MS - now % WINDOW_MS);
    }
    current.unflushed.addAndGet(numbers);
  }

  /** The IPv4 address, or the IPv6 /64 (one subscriber's allocation), as text; never leaves this instance. */
  static String clientKey(InetAddress client) {
    if (client instanceof Inet4Address) {
      return client.getHostAddress();
    }
    return Arrays.toString(Arrays.copyOf(client.getAddress(), 8));
  }

  private void flush() {
    long window = clock.millis() / WINDOW_MS;
    usage.forEach((client, u) -> {
      if (u.window != window) {
        // A minute that has passed: its last lookups still go to its counter below, then it is forgotten here.
        usage.remove(client, u);
      }
      long n = u.unflushed.getAndSet(0);
      if (n == 0) {
        return;
      }
      u.inFlight.addAndGet(n);
      String key = KeySchema.lookupAllowance(tokens.keyed("lookup-client|" + client), u.window);
      store.call(redis -> redis.incrby(key, n)).onComplete(ar -> {
        if (ar.succeeded()) {
          u.global = Math.max(u.global, ar.result());
          u.inFlight.addAndGet(-n);
        } else {
          // Redis is away: keep the count here and send it with the next flush.
          u.inFlight.addAndGet(-n);
          u.unflushed.addAndGet(n);
          LOG.debug("Lookup counts not flushed: {}", ar.cause().toString());
        }
      });
      store.call(redis -> redis.pexpire(key, 2 * WINDOW_MS));
    });
  }
}
