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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.dunblock.server.store.RateLimitedException;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers looked up per client address (IPv4 address, IPv6 /64, and at most {@value #SHARED_CEILING_CLIENTS} times
 * that per IPv6 /48) per minute, shared by all instances through Redis without putting a Redis command on the
 * lookup path (rule 2): each instance counts locally and every {@value #FLUSH_MS} ms sends one INCRBY per active
 * client (and its counter's PEXPIRE once a minute), learning from the reply what every instance counted so far.
 * The limit therefore holds across instances approximately: an instance may let through what a client sent it
 * since its last flush before it learns that other instances spent the allowance.
 *
 * <pre>
 * dunblock:rl:lookups:&lt;keyed hash of the client&gt;:&lt;minute&gt;   string  numbers looked up; expires after 2 minutes
 * </pre>
 */
public final class LookupLimiter {
  static final long WINDOW_MS = 60_000;
  static final long FLUSH_MS = 500;
  /**
   * An IPv6 /48 (one site) gets this many client allowances in all, however many /64s it spreads over; and so does
   * each overflow bucket.
   */
  static final int SHARED_CEILING_CLIENTS = 16;
  /** Overflow buckets kept at most; past them, one last bucket per address family. */
  static final int MAX_OVERFLOW_BUCKETS = 65_536;
  private static final Logger LOG = LoggerFactory.getLogger(LookupLimiter.class);

  private final ReputationStore store;
  private final ReporterTokens tokens;
  private final ClientAddress clientAddress;
  private final Clock clock;
  private final int limit;
  private final long ceiling;
  private final int maxClients;
  private final Map<String, Usage> usage = new ConcurrentHashMap<>();
  /** Shared buckets of clients that found {@link #usage} full: bounded by {@link #MAX_OVERFLOW_BUCKETS} + 2. */
  private final Map<String, Usage> overflow = new ConcurrentHashMap<>();
  private final Counter limited;
  private final Counter overflowed;

  /** One client's minute as this instance knows it. */
  private static final class Usage {
    final long window;
    /** Counted here, not yet sent to Redis. */
    final AtomicLong unflushed = new AtomicLong();
    /** Sent to Redis, reply pending. */
    final AtomicLong inFlight = new AtomicLong();
    /** The shared count Redis last replied (every instance's flushed lookups). */
    volatile long global;
    /** The counter's Redis key (a keyed hash of the client: one HMAC a client a minute, not one a flush). */
    String redisKey;
    /** Whether the counter's expiry was sent (and not refused): it is set once for the minute. */
    final AtomicBoolean expiring = new AtomicBoolean();

    Usage(long window) {
      this.window = window;
    }

    long used() {
      return global + inFlight.get() + unflushed.get();
    }
  }

  /**
   * {@code perMinute} 0 turns the limit off. {@code maxClients} bounds the clients (and IPv6 /48s) counted one by
   * one per minute; past it a new client is counted in an overflow bucket shared by its IPv4 /16 or IPv6 /32 (with
   * {@link #SHARED_CEILING_CLIENTS} allowances), so a flood of addresses is still limited rather than let through.
   */
  public LookupLimiter(ReputationStore store, ReporterTokens tokens, ClientAddress clientAddress, Clock clock,
      int perMinute, int maxClients, MeterRegistry registry) {
    this.store = store;
    this.tokens = tokens;
    this.clientAddress = clientAddress;
    this.clock = clock;
    this.limit = perMinute;
    this.ceiling = (long) perMinute * SHARED_CEILING_CLIENTS;
    this.maxClients = maxClients;
    this.overflowed = Counter.builder("dunblock.lookup.limiter.overflow")
        .description("Lookup requests counted in a shared overflow bucket because the tracked-clients table was full")
        .register(registry);
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
    // An IPv6 /48's ceiling first, and before its /64 gets an entry: a site past its ceiling that rotates through
    // fresh /64s must neither fill the tracked-clients table (pushing honest clients into shared buckets) nor, once
    // it is full, escape its ceiling through an overflow bucket.
    Usage site = null;
    if (!(client instanceof Inet4Address)) {
      site = tracked(usage, siteKey(client), window, maxClients);
      if (site == null) {
        overflowed.increment();
        site = overflowBucket(client, window);
      }
      if (site.used() >= ceiling) {
        refuse(now);
      }
    }
    Usage own = tracked(usage, clientKey(client), window, maxClients);
    if (own == null) {
      overflowed.increment();
      Usage bucket = overflowBucket(client, window);
      if (bucket != site) {
        charge(bucket, ceiling, numbers, now);
      }
      if (site != null) {
        site.unflushed.addAndGet(numbers);
      }
      return;
    }
    if (own.used() >= limit) {
      refuse(now);
    }
    own.unflushed.addAndGet(numbers);
    if (site != null) {
      site.unflushed.addAndGet(numbers);
    }
  }

  private void charge(Usage bucket, long allowance, int numbers, long now) {
    if (bucket.used() >= allowance) {
      refuse(now);
    }
    bucket.unflushed.addAndGet(numbers);
  }

  private void refuse(long now) {
    limited.increment();
    throw new RateLimitedException("Too many lookups from this address", WINDOW_MS - now % WINDOW_MS);
  }

  /** This minute's count for {@code key}, or null when it is new and {@code table} already holds {@code max}. */
  private static Usage tracked(Map<String, Usage> table, String key, long window, int max) {
    Usage current = table.get(key);
    if (current != null && current.window == window) {
      return current;
    }
    if (current == null && table.size() >= max) {
      return null;
    }
    Usage fresh = new Usage(window);
    return table.compute(key, (k, old) -> old == null || old.window != window ? fresh : old);
  }

  /** The shared bucket of an untracked client: its IPv4 /16 or IPv6 /32, or past those, its address family's. */
  private Usage overflowBucket(InetAddress client, long window) {
    byte[] a = client.getAddress();
    String family = client instanceof Inet4Address ? "v4" : "v6";
    String key = "overflow|" + family + Arrays.toString(Arrays.copyOf(a, client instanceof Inet4Address ? 2 : 4));
    Usage bucket = tracked(overflow, key, window, MAX_OVERFLOW_BUCKETS);
    return bucket != null ? bucket : tracked(overflow, "overflow|" + family, window, Integer.MAX_VALUE);
  }

  /** The IPv6 /48 of a client, for the site's shared ceiling. */
  static String siteKey(InetAddress client) {
    return "site|" + Arrays.toString(Arrays.copyOf(client.getAddress(), 6));
  }

  /** The IPv4 address, or the IPv6 /64 (one subscriber's allocation), as text; never leaves this instance. */
  static String clientKey(InetAddress client) {
    if (client instanceof Inet4Address) {
      return client.getHostAddress();
    }
    return Arrays.toString(Arrays.copyOf(client.getAddress(), 8));
  }

  private void flush() {
    flush(usage);
    flush(overflow);
  }

  private void flush(Map<String, Usage> table) {
    long window = clock.millis() / WINDOW_MS;
    table.forEach((client, u) -> {
      if (u.window != window) {
        // A minute that has passed: its last lookups still go to its counter below, then it is forgotten here.
        table.remove(client, u);
      }
      long n = u.unflushed.getAndSet(0);
      if (n == 0) {
        if (u.redisKey != null && !u.expiring.get()) {
          expire(u); // its counter is in Redis but its expiry failed: try again
        }
        return;
      }
      u.inFlight.addAndGet(n);
      boolean first = u.redisKey == null;
      if (first) {
        u.redisKey = KeySchema.lookupAllowance(tokens.keyed("lookup-client|" + client), u.window);
      }
      String key = u.redisKey;
      store.call(redis -> redis.incrby(key, n)).onComplete(ar -> {
        if (ar.succeeded()) {
          // In-flight first: for an instant the count is low (one lookup too many) rather than double (a refusal).
          u.inFlight.addAndGet(-n);
          u.global = Math.max(u.global, ar.result());
          if (!first && ar.result() == n) {
            // A later count made the key: a counter lost mid-minute (a failover, a restart that lost the last
            // second) made again without an expiry, so it gets one whatever was sent before. (The first count's
            // expiry follows it on the same connection.)
            u.expiring.set(false);
            expire(u);
          }
        } else {
          // Redis is away: keep the count here and send it with the next flush.
          u.inFlight.addAndGet(-n);
          u.unflushed.addAndGet(n);
          LOG.debug("Lookup counts not flushed: {}", ar.cause().toString());
        }
      });
      if (!u.expiring.get()) {
        expire(u);
      }
    });
  }

  /**
   * Gives a minute's counter its expiry: two minutes after this instance first sent it a count, so past the end of
   * its minute and of the last flush that can reach it. Sent with the first count, and again whenever an INCRBY's
   * reply shows it made the key; failed, or run before the counter existed (the count's INCRBY failed), it is sent
   * again at the next flush.
   */
  private void expire(Usage u) {
    if (!u.expiring.compareAndSet(false, true)) {
      return;
    }
    String key = u.redisKey;
    store.call(redis -> redis.pexpire(key, 2 * WINDOW_MS)).onComplete(ar -> {
      if (ar.failed() || !Boolean.TRUE.equals(ar.result())) {
        u.expiring.set(false);
      }
    });
  }
}
