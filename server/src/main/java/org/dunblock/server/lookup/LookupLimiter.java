package org.dunblock.server.lookup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.dunblock.server.store.RateLimitedException;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers looked up per client address (IPv4 address, IPv6 /64, and at most {@value #SHARED_CEILING_CLIENTS} times
 * that per IPv6 /48) per minute, shared by all instances through Redis without putting a Redis command on the
 * lookup path (rule 2). Each instance counts locally. A client's first lookups of the minute, up to
 * {@value #MAX_LIGHT_LOOKUPS} (or a sixteenth of the limit when that is less), are counted in a sketch of fixed size
 * ({@link LightCounts}) and go no further: most clients stay that light, and an entry and a Redis counter for each
 * cost more than their lookups. Past them the client gets an entry holding them, and every {@value #FLUSH_MS} ms the
 * instance sends its entries' new counts, a script call per bucket of clients (so a few calls a flush, however many
 * clients), learning from the reply what every instance counted so far. The limit therefore holds across instances
 * approximately: an instance may let through what a client sent it since its last flush before it learns that
 * other instances spent the allowance, and each instance's light lookups of a client reach the others only once it
 * is heavy there (up to {@value #MAX_LIGHT_LOOKUPS} more a minute per other instance).
 *
 * <pre>
 * dunblock:{lkN}:rl:lookups:&lt;minute&gt;   hash  keyed hash of the client -&gt; numbers looked up, for the clients of
 *                                       bucket N (the hash's first hex digit); expires 2 minutes after it is made
 * </pre>
 */
public final class LookupLimiter {
  static final long WINDOW_MS = 60_000;
  static final long FLUSH_MS = 500;
  /**
   * A minute's hash of counters lives this long after it is made: past the end of its minute and the last flush
   * that can reach it.
   */
  static final long COUNTERS_TTL_MS = 2 * WINDOW_MS;
  /** Clients counted by one script call at most, so that no call holds Redis for long. */
  static final int MAX_CLIENTS_PER_CALL = 1_000;
  /**
   * Lookups a client makes in a minute, at most, before this instance counts it one by one and sends its count to
   * Redis: most clients of a call-blocking app look up a number or two a minute, and an entry and a Redis field for
   * each cost more than their lookups. A sixteenth of the limit when that is less.
   */
  static final int MAX_LIGHT_LOOKUPS = 8;
  /** Columns of a light clients' sketch at most: four rows of ints, 32 MB, and two live (this minute's, the next). */
  static final int MAX_LIGHT_COLUMNS = 1 << 21;
  /** How long past its minute a count that failed to reach Redis is still sent again. */
  static final long LEFTOVER_MS = 10_000;
  /** Stands for an entry the full table could not make. */
  private static final Usage FULL = new Usage("", -1);
  /**
   * An IPv6 /48 (one site) gets this many client allowances in all, however many /64s it spreads over; and so does
   * each overflow bucket.
   */
  static final int SHARED_CEILING_CLIENTS = 16;
  /** Overflow buckets kept at most; past them, one last bucket per address family. */
  static final int MAX_OVERFLOW_BUCKETS = 65_536;
  private static final Logger LOG = LoggerFactory.getLogger(LookupLimiter.class);
  private static final HexFormat HEX = HexFormat.of();

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
  private final LuaScript counts;
  /** Lookups a client (or IPv6 /48) makes in a minute before it gets an entry of its own: 0 when the limit is low. */
  private final int lightLookups;
  private final int lightColumns;
  /** The light clients' sketch's secret hash key. */
  private final long sketchKey0;
  private final long sketchKey1;
  private volatile LightCounts light;
  /** The next minute's sketch, made by the flush before the minute turns. */
  private volatile LightCounts nextLight;
  private final AtomicBoolean makingNext = new AtomicBoolean();
  /**
   * Entries of a minute passed that the tables no longer hold but whose count is not yet in Redis: replaced by the
   * client's entry of the new minute before a flush sent their last count, or whose last count failed. Sent by the
   * flushes of the next {@value #LEFTOVER_MS} ms, while an instance whose clock lags may still count that minute.
   * At most a table's worth, and a little more for failures retried.
   */
  private final Queue<Usage> leftovers = new ConcurrentLinkedQueue<>();

  /**
   * One client's minute as this instance knows it. A few hundred thousand of these live for a minute each, long
   * enough to be copied by young collections: hence plain fields (the counts updated in place, the keyed hash as two
   * longs) rather than atomic and string objects of their own.
   */
  private static final class Usage {
    private static final AtomicLongFieldUpdater<Usage> UNFLUSHED =
        AtomicLongFieldUpdater.newUpdater(Usage.class, "unflushed");
    private static final AtomicLongFieldUpdater<Usage> IN_FLIGHT =
        AtomicLongFieldUpdater.newUpdater(Usage.class, "inFlight");

    final long window;
    /** Counted here, not yet sent to Redis. */
    private volatile long unflushed;
    /** Sent to Redis, reply pending. */
    private volatile long inFlight;
    /** The shared count Redis last replied (every instance's flushed lookups). */
    volatile long global;
    /**
     * The client's field in its bucket's hash, a keyed hash (its 32 hex digits as two longs), worked out at the
     * client's first flush: one HMAC a client a minute, not one a flush. Written and read by the flush only.
     */
    boolean hashed;
    long fieldHigh;
    long fieldLow;

    /** The table's key: the client (or /48, or overflow bucket) as text, for its keyed hash. */
    final String client;

    Usage(String client, long window) {
      this.client = client;
      this.window = window;
    }

    void count(long n) {
      UNFLUSHED.addAndGet(this, n);
    }

    /** Takes what was counted here since the last flush into the in-flight count. */
    long send() {
      long n = UNFLUSHED.getAndSet(this, 0);
      if (n != 0) {
        IN_FLIGHT.addAndGet(this, n);
      }
      return n;
    }

    /** Redis answered {@code n} sent lookups with {@code total}. */
    void counted(long n, long total) {
      // In-flight first: for an instant the count is low (one lookup too many) rather than double (a refusal).
      IN_FLIGHT.addAndGet(this, -n);
      global = Math.max(global, total);
    }

    /** {@code n} sent lookups did not reach Redis: kept here for the next flush. */
    void unsent(long n) {
      IN_FLIGHT.addAndGet(this, -n);
      UNFLUSHED.addAndGet(this, n);
    }

    long used() {
      return global + inFlight + unflushed;
    }

    int bucket() {
      return (int) (fieldHigh >>> 60) % KeySchema.LOOKUP_COUNTER_BUCKETS;
    }

    String field() {
      return HEX.toHexDigits(fieldHigh) + HEX.toHexDigits(fieldLow);
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
    this.counts = store.script("lookup-counts.lua");
    this.lightLookups = Math.min(MAX_LIGHT_LOOKUPS, perMinute / 16);
    SecureRandom random = new SecureRandom();
    this.sketchKey0 = random.nextLong();
    this.sketchKey1 = random.nextLong();
    this.lightColumns = LightCounts.columnsFor((int) Math.min(2L * maxClients, MAX_LIGHT_COLUMNS), MAX_LIGHT_COLUMNS);
    this.light = lightLookups == 0 ? null : sketch(clock.millis() / WINDOW_MS);
    this.overflowed = Counter.builder("dunblock.lookup.limiter.overflow")
        .description("Lookup requests counted in a shared overflow bucket because the tracked-clients table was full")
        .register(registry);
    this.limited = Counter.builder("dunblock.rate.limited").tag("limit", "lookups")
        .description("Requests refused with 429 by a rate limit").register(registry);
    Gauge.builder("dunblock.lookup.limiter.clients", usage, Map::size)
        .description("Client addresses this instance counts lookups for one by one this minute (past their light "
            + "lookups)").register(registry);
    if (lightLookups > 0) {
      Gauge.builder("dunblock.lookup.limiter.sketch.fill", this, LookupLimiter::sketchFill)
          .description("Share of the light clients' sketch's counters in use this minute: near 1, clients get an "
              + "entry early (raise DUNBLOCK_LOOKUP_TRACKED_CLIENTS)").register(registry);
    }
  }

  /** The current minute's sketch's fill (kept as it is written: nothing to compute at scrape time). */
  private double sketchFill() {
    LightCounts current = light;
    return current.window == clock.millis() / WINDOW_MS ? current.fill() : 0;
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
    LightCounts light = lightLookups == 0 ? null : lightCounts(window);
    Usage site = null;
    if (!(client instanceof Inet4Address)) {
      site = entry(siteKey(client), window, light, numbers);
      if (site == FULL) {
        overflowed.increment();
        site = overflowBucket(client, window);
      }
      if (site != null && site.used() >= ceiling) {
        refuse(now);
      }
    }
    Usage own = entry(clientKey(client), window, light, numbers);
    if (own == null) {
      // Light: counted in the sketch, and not sent to Redis unless it becomes heavy.
      if (site != null) {
        site.count(numbers);
      }
      return;
    }
    if (own == FULL) {
      overflowed.increment();
      Usage bucket = overflowBucket(client, window);
      if (bucket != site) {
        charge(bucket, ceiling, numbers, now);
      }
      if (site != null) {
        site.count(numbers);
      }
      return;
    }
    if (own.used() >= limit) {
      refuse(now);
    }
    own.count(numbers);
    if (site != null) {
      site.count(numbers);
    }
  }

  /**
   * The minute's entry of a client (or IPv6 /48) that is past its light lookups, made now if need be and holding
   * them; null when this request keeps it light (then counted in {@code light}); {@link #FULL} when it needs an
   * entry and the table is full.
   */
  private Usage entry(String key, long window, LightCounts light, int numbers) {
    Usage current = usage.get(key);
    if (current != null && current.window == window) {
      return current;
    }
    boolean full = current == null && usage.size() >= maxClients;
    if (full && (lightLookups == 0 || light.estimate(key) == 0)) {
      // The table is full (a flood of addresses): a client new this minute, light or not, is charged to its shared
      // overflow bucket, or the flood would go uncounted one light lookup per address. One already counted in the
      // sketch before the table filled stays light (one that only shares counters with others may too).
      return FULL;
    }
    int before = lightLookups == 0 ? 0 : light.addIfLight(key, numbers, lightLookups);
    if (before < 0) {
      return null;
    }
    if (full) {
      return FULL;
    }
    Usage fresh = new Usage(key, window);
    fresh.count(before); // its light lookups, sent with its first count (of two made at once, one is kept)
    return replace(usage, key, window, fresh);
  }

  /** This minute's sketch of light clients, made ahead off the event loops (megabytes of zeroes, not on a request). */
  private LightCounts lightCounts(long window) {
    LightCounts current = light;
    if (current.window >= window) {
      return current; // a request of a minute just passed counts in the new one: never less
    }
    synchronized (this) {
      current = light;
      if (current.window < window) {
        LightCounts next = nextLight;
        current = next != null && next.window == window ? next : sketch(window);
        light = current;
      }
      return current;
    }
  }

  private LightCounts sketch(long window) {
    return new LightCounts(window, lightColumns, sketchKey0, sketchKey1);
  }

  private void charge(Usage bucket, long allowance, int numbers, long now) {
    if (bucket.used() >= allowance) {
      refuse(now);
    }
    bucket.count(numbers);
  }

  private void refuse(long now) {
    limited.increment();
    throw new RateLimitedException("Too many lookups from this address", WINDOW_MS - now % WINDOW_MS);
  }

  /** This minute's count for {@code key}, or null when it is new and {@code table} already holds {@code max}. */
  private Usage tracked(Map<String, Usage> table, String key, long window, int max) {
    Usage current = table.get(key);
    if (current != null && current.window == window) {
      return current;
    }
    if (current == null && table.size() >= max) {
      return null;
    }
    return replace(table, key, window, new Usage(key, window));
  }

  /**
   * Puts {@code fresh} in place of the key's entry unless that is of this minute already (or of the next: a request
   * that read the clock just before the minute turned counts in the new one); an entry of a minute passed that it
   * replaces goes to the next flush, which sends what it counted since the last one.
   */
  private Usage replace(Map<String, Usage> table, String key, long window, Usage fresh) {
    return table.compute(key, (k, old) -> {
      if (old != null && old.window >= window) {
        return old;
      }
      if (old != null) {
        leftovers.add(old);
      }
      return fresh;
    });
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
    long window = clock.millis() / WINDOW_MS;
    if (lightLookups > 0) {
      lightCounts(window); // the minute has turned: its sketch, made by an earlier flush, is taken here
      LightCounts next = nextLight;
      if ((next == null || next.window <= window) && makingNext.compareAndSet(false, true)) {
        // Megabytes of zeroes: made off the event loops (the JVM's common pool; nothing to hand back but the field).
        ForkJoinPool.commonPool().execute(() -> {
          try {
            nextLight = sketch(window + 1);
          } finally {
            makingNext.set(false);
          }
        });
      }
    }
    Map<Long, Batch> batches = new java.util.HashMap<>();
    long now = clock.millis();
    for (Usage u; (u = leftovers.poll()) != null; ) {
      if (now < (u.window + 1) * WINDOW_MS + LEFTOVER_MS) {
        long n = u.send();
        if (n != 0) {
          add(batches, u, n);
        }
      }
    }
    flush(usage, batches);
    flush(overflow, batches);
    batches.values().forEach(this::send);
  }

  /** Takes every entry's unsent count into the batch of its bucket's hash; forgets entries of a minute passed. */
  private void flush(Map<String, Usage> table, Map<Long, Batch> batches) {
    long window = clock.millis() / WINDOW_MS;
    table.forEach((key, u) -> {
      if (u.window != window) {
        // A minute that has passed: its last lookups still go to its counter below, then it is forgotten here.
        table.remove(key, u);
      }
      long n = u.send();
      if (n != 0) {
        add(batches, u, n);
      }
    });
  }

  /** Adds an entry's count to the batch of its bucket's hash, sending the batch first if it is full. */
  private void add(Map<Long, Batch> batches, Usage u, long n) {
    if (!u.hashed) {
      String field = tokens.keyed("lookup-client|" + u.client);
      u.fieldHigh = Long.parseUnsignedLong(field, 0, 16, 16);
      u.fieldLow = Long.parseUnsignedLong(field, 16, 32, 16);
      u.hashed = true;
    }
    long batchKey = u.window * KeySchema.LOOKUP_COUNTER_BUCKETS + u.bucket();
    Batch batch = batches.get(batchKey);
    if (batch == null || batch.size() == MAX_CLIENTS_PER_CALL) {
      if (batch != null) {
        send(batch);
      }
      batch = new Batch(KeySchema.lookupCounters(u.bucket(), u.window));
      batches.put(batchKey, batch);
    }
    batch.add(u, n);
  }

  /** One script call: the batch's counts added to its hash, each client's total read back. */
  private void send(Batch batch) {
    store.run(counts, new String[] {batch.counters}, batch.args()).onComplete(ar -> {
      for (int i = 0; i < batch.size(); i++) {
        if (ar.succeeded()) {
          batch.clients.get(i).counted(batch.counts[i], (Long) ar.result().get(i));
        } else {
          // Redis is away: sent again with the next flush. An entry of a minute passed is no longer in the table
          // the flush goes through, so it is queued for it.
          Usage u = batch.clients.get(i);
          u.unsent(batch.counts[i]);
          if (u.window != clock.millis() / WINDOW_MS) {
            leftovers.add(u);
          }
        }
      }
      if (ar.failed()) {
        LOG.debug("Lookup counts not flushed: {}", ar.cause().toString());
      }
    });
  }

  /** The clients of one bucket's hash in one flush, with what each adds. */
  private static final class Batch {
    final String counters;
    final List<Usage> clients = new ArrayList<>();
    long[] counts = new long[8];

    Batch(String counters) {
      this.counters = counters;
    }

    int size() {
      return clients.size();
    }

    void add(Usage u, long n) {
      if (clients.size() == counts.length) {
        counts = Arrays.copyOf(counts, counts.length * 2);
      }
      counts[clients.size()] = n;
      clients.add(u);
    }

    String[] args() {
      String[] args = new String[1 + 2 * clients.size()];
      args[0] = Long.toString(COUNTERS_TTL_MS);
      for (int i = 0; i < clients.size(); i++) {
        args[1 + 2 * i] = clients.get(i).field();
        args[2 + 2 * i] = Long.toString(counts[i]);
      }
      return args;
    }
  }
}
