package org.dunblock.server.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.TrackingArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.push.PushListener;
import io.lettuce.core.api.push.PushMessage;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells a near cache which Redis keys changed, with a staleness bound it can check on every read. One RESP3
 * connection per Redis master (one for a standalone Redis) runs {@code CLIENT TRACKING ON BCAST PREFIX ...} for the
 * cached key families: Redis then pushes an {@code invalidate} message for every key under those prefixes that
 * anything modifies (scripts, plain commands, expiry, eviction, FLUSHALL), whoever wrote it, without the writers
 * doing anything. So no write path can be forgotten, and a report costs Redis one pushed key per instance.
 *
 * <p>Pushes carry no proof that nothing was lost, so each connection is also pinged, one PING at a time. Redis
 * answers a connection in order, and sends BCAST invalidations at the end of the event-loop turn in which the write
 * ran, before it reads the next command of that connection; so when the answer to PING k arrives, every
 * invalidation of a write Redis ran before PING k-1 has arrived (and been applied: Lettuce hands pushes to listeners
 * and completes commands on its I/O thread in the order they were read). {@link #fresh(long)} is true while that
 * point, taken over every master, is no older than the staleness bound. A connection that closes, stops answering
 * or cannot re-enable tracking makes the channel not fresh at once (the cache is not served, lookups read Redis);
 * once a new connection tracks again the listener is told to drop everything ({@link Listener#reset()}), because
 * what changed while nobody listened is unknown.
 */
public final class InvalidationChannel implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InvalidationChannel.class);
  static final String CLIENT_NAME = "dunblock-invalidations";
  private static final long NEVER = Long.MIN_VALUE;
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(2);

  /** Where the channel's news goes; called on Lettuce's I/O threads and the channel's own thread. */
  public interface Listener {
    /** {@code key} was modified in Redis: forget it. */
    void invalidated(String key);

    /** What changed is unknown (tracking was re-enabled after a break, or Redis was flushed): forget everything. */
    void reset();
  }

  private final RedisClient client;
  private final Supplier<List<RedisURI>> masters;
  private final TrackingArgs tracking;
  private final Listener listener;
  private final long intervalNanos;
  private final long timeoutNanos;
  private final long maxStalenessNanos;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer;
  /** System.nanoTime() up to which every master's invalidations have arrived; NEVER while any is not tracking. */
  private volatile long freshAsOf = NEVER;
  private volatile boolean closed;

  /**
   * @param masters the Redis nodes that take writes, asked again on every heartbeat (a cluster's masters change)
   * @param prefixes the key prefixes to be told about
   * @param maxStaleness how old the proven point may be for {@link #fresh(long)}; pings go five times as often
   * @param timeout a connection, tracking command or ping not answered within this is given up and replaced
   */
  InvalidationChannel(ClientResources resources, Supplier<List<RedisURI>> masters, List<String> prefixes,
      Duration maxStaleness, Duration timeout, Listener listener) {
    this.client = RedisClient.create(resources);
    this.client.setOptions(ClientOptions.builder()
        // Pushes are a RESP3 frame; on RESP2 they would need a second, subscribed connection.
        .protocolVersion(ProtocolVersion.RESP3)
        // A dropped connection loses tracking and any pushes in flight: it is replaced by a new session, not
        // silently reconnected by Lettuce (which would not re-enable tracking).
        .autoReconnect(false)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build());
    this.masters = masters;
    this.tracking = TrackingArgs.Builder.enabled().bcast().prefixes(prefixes.toArray(String[]::new));
    this.listener = listener;
    this.maxStalenessNanos = maxStaleness.toNanos();
    this.intervalNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(5), maxStalenessNanos / 5);
    this.timeoutNanos = Math.min(timeout.toNanos(), Math.max(maxStalenessNanos, TimeUnit.MILLISECONDS.toNanos(200)));
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, CLIENT_NAME);
      thread.setDaemon(true);
      return thread;
    });
    long tick = Math.max(1, intervalNanos / 2);
    timer.scheduleWithFixedDelay(this::tick, 0, tick, TimeUnit.NANOSECONDS);
  }

  /** True when every write Redis finished before {@code nowNanos} minus the staleness bound has been invalidated. */
  public boolean fresh(long nowNanos) {
    long asOf = freshAsOf;
    return asOf != NEVER && nowNanos - asOf <= maxStalenessNanos;
  }

  /** Opens sessions for new masters, closes those of nodes no longer masters, and drives each session. */
  private void tick() {
    if (closed) {
      return;
    }
    try {
      Set<String> current = new HashSet<>();
      for (RedisURI uri : masters.get()) {
        String id = uri.getHost() + ":" + uri.getPort();
        current.add(id);
        sessions.computeIfAbsent(id, key -> new Session(key, uri));
      }
      for (Session session : new ArrayList<>(sessions.values())) {
        if (!current.contains(session.id)) {
          sessions.remove(session.id);
          session.close();
          LOG.info("Invalidation channel: {} is no longer a master", session.id);
        }
      }
      long now = System.nanoTime();
      for (Session session : sessions.values()) {
        session.tick(now);
      }
      recompute();
    } catch (RuntimeException e) {
      LOG.warn("Invalidation channel heartbeat failed", e);
      freshAsOf = NEVER;
    }
  }

  /** The oldest of the sessions' proven points. */
  private void recompute() {
    long oldest = NEVER;
    boolean first = true;
    for (Session session : sessions.values()) {
      long asOf = session.freshAsOf;
      if (asOf == NEVER) {
        freshAsOf = NEVER;
        return;
      }
      if (first || asOf - oldest < 0) {
        oldest = asOf;
        first = false;
      }
    }
    freshAsOf = oldest;
  }

  private void onPush(PushMessage message) {
    if (!"invalidate".equals(message.getType())) {
      return;
    }
    List<Object> content = message.getContent(StringCodec.UTF8::decodeKey);
    Object keys = content.size() > 1 ? content.get(1) : null;
    if (keys instanceof List<?> list) {
      for (Object key : list) {
        if (key != null) {
          listener.invalidated(key.toString());
        }
      }
    } else {
      // A null key list: Redis was flushed.
      listener.reset();
    }
  }

  private enum State { DOWN, CONNECTING, TRACKING }

  /** One master's tracking connection, from connect to its failure; a failed one is reopened after a backoff. */
  private final class Session {
    final String id;
    final RedisURI uri;
    State state = State.DOWN;
    StatefulRedisConnection<String, String> connection;
    long since = System.nanoTime();
    long retryAt = since;
    int failures;
    /** Send time of the outstanding ping (or of the tracking command), NEVER when none is outstanding. */
    long outstanding = NEVER;
    /** Send time of the last answered ping (or of the tracking command): the next answer proves up to it. */
    long lastAnswered = NEVER;
    volatile long freshAsOf = NEVER;
    boolean closed;

    Session(String id, RedisURI uri) {
      this.id = id;
      this.uri = uri;
    }

    synchronized void tick(long now) {
      if (closed) {
        return;
      }
      switch (state) {
        case DOWN -> {
          if (now - retryAt >= 0) {
            connect(now);
          }
        }
        case CONNECTING -> {
          if (now - since > timeoutNanos) {
            fail("no tracking within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
          }
        }
        case TRACKING -> {
          if (!connection.isOpen()) {
            fail("connection closed");
          } else if (outstanding != NEVER) {
            if (now - outstanding > timeoutNanos) {
              fail("no answer to a ping within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
          } else if (now - lastAnswered >= intervalNanos) {
            ping(now);
          }
        }
      }
    }

    private void connect(long now) {
      state = State.CONNECTING;
      since = now;
      client.connectAsync(StringCodec.UTF8, uri).whenComplete((opened, error) -> {
        synchronized (this) {
          if (closed || state != State.CONNECTING) {
            if (opened != null) {
              opened.closeAsync();
            }
            return;
          }
          if (error != null) {
            fail("connect: " + error.getMessage());
            return;
          }
          connection = opened;
          opened.addListener((PushListener) InvalidationChannel.this::onPush);
          long sent = System.nanoTime();
          outstanding = sent;
          opened.async().clientTracking(tracking).whenComplete((ok, failed) -> tracked(opened, sent, failed));
        }
      });
    }

    private void tracked(StatefulRedisConnection<String, String> on, long sent, Throwable error) {
      synchronized (this) {
        if (closed || on != connection) {
          return;
        }
        if (error != null) {
          fail("CLIENT TRACKING: " + error.getMessage());
          return;
        }
        // Every entry cached from here on was read after tracking began; what is older may have missed a push.
        listener.reset();
        outstanding = NEVER;
        lastAnswered = sent;
        state = State.TRACKING;
        if (failures > 0) {
          LOG.info("Invalidation channel to {} tracking again after {} failure(s)", id, failures);
        }
        failures = 0;
      }
      ping(System.nanoTime());
    }

    private synchronized void ping(long now) {
      if (closed || state != State.TRACKING || outstanding != NEVER) {
        return;
      }
      StatefulRedisConnection<String, String> on = connection;
      outstanding = now;
      on.async().ping().whenComplete((pong, error) -> answered(on, now, error));
    }

    private void answered(StatefulRedisConnection<String, String> on, long sent, Throwable error) {
      synchronized (this) {
        if (closed || on != connection || state != State.TRACKING) {
          return;
        }
        if (error != null) {
          fail("ping: " + error.getMessage());
          return;
        }
        freshAsOf = lastAnswered;
        lastAnswered = sent;
        outstanding = NEVER;
      }
      recompute();
    }

    private void fail(String reason) {
      if (failures == 0) {
        LOG.warn("Invalidation channel to {} broken ({}): the near cache is not used until it tracks again", id,
            reason);
      }
      freshAsOf = NEVER;
      InvalidationChannel.this.freshAsOf = NEVER;
      StatefulRedisConnection<String, String> old = connection;
      connection = null;
      if (old != null) {
        old.closeAsync();
      }
      state = State.DOWN;
      outstanding = NEVER;
      lastAnswered = NEVER;
      failures++;
      long now = System.nanoTime();
      since = now;
      retryAt = now + Math.min(MAX_BACKOFF_NANOS, TimeUnit.MILLISECONDS.toNanos(50) << Math.min(failures - 1, 6));
    }

    synchronized void close() {
      closed = true;
      freshAsOf = NEVER;
      if (connection != null) {
        connection.closeAsync();
        connection = null;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    freshAsOf = NEVER;
    timer.shutdownNow();
    sessions.values().forEach(Session::close);
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
