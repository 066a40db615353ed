package org.dunblock.server.store;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValueScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Dunblock's reputation state in Redis, through Lettuce's async API. Every method returns a Vert.x {@link Future}
 * bound to the caller's context, so callbacks never run on Lettuce threads. One shared connection carries all
 * request traffic (Lettuce pipelines it); the blocking stream follower has connections of its own. All of them fail
 * fast when Redis is away (see {@link #connect}), and the request connection replaces itself when wedged
 * ({@link RedisLink}).
 *
 * <p>{@code DUNBLOCK_REDIS_URL} may name one Redis server ({@code redis://}) or a Redis Cluster
 * ({@code redis-cluster://}, see {@link RedisClusterClients}). Both are used through the commands they share
 * ({@link RedisClusterAsyncCommands}), and every key carries a hash tag, so all code runs unchanged on either.
 */
public final class ReputationStore implements AutoCloseable {
  /** Change stream entries kept per shard; a follower further behind than this rebuilds its filter. */
  public static final long CHANGES_MAX_LENGTH = 100_000;
  /**
   * Commands one connection may have in flight. Beyond it a command fails at once (503 for a report, a degraded
   * answer for a lookup) instead of queueing behind a Redis that has stopped answering: at a few thousand commands
   * per second a paused Redis fills it within seconds, and a longer queue would only add latency to every request
   * after it is back. Far above what a healthy Redis ever has outstanding (it answers in well under a millisecond).
   */
  static final int MAX_IN_FLIGHT = 10_000;

  private final Vertx vertx;
  private final AbstractRedisClient client;
  private final ClientResources resources;
  private final Commands commands;
  private final ChangeReader follower;
  private final Duration timeout;
  private final String redisUrl;
  private volatile StoreMetrics metrics;
  private volatile Consumer<String[]> scriptWrites = keys -> { };
  private volatile InvalidationChannel invalidations;

  private ReputationStore(Vertx vertx, AbstractRedisClient client, ClientResources resources,
      Commands commands, ChangeReader follower, Duration timeout, String redisUrl) {
    this.vertx = vertx;
    this.client = client;
    this.resources = resources;
    this.commands = commands;
    this.follower = follower;
    this.timeout = timeout;
    this.redisUrl = redisUrl;
  }

  /**
   * The request connection and the commands of whichever connection it holds now (its {@link RedisLink} may have
   * replaced it since), for a standalone Redis and a cluster alike.
   */
  private record Commands(RedisLink<?> link, Supplier<RedisClusterAsyncCommands<String, String>> async,
      Supplier<RedisClusterCommands<String, String>> sync) {
    static Commands standalone(RedisLink<StatefulRedisConnection<String, String>> link) {
      return new Commands(link, () -> link.connection().async(), () -> link.connection().sync());
    }

    static Commands cluster(RedisLink<StatefulRedisClusterConnection<String, String>> link) {
      return new Commands(link, () -> link.connection().async(), () -> link.connection().sync());
    }
  }

  /** The request connection's commands as of now. */
  private RedisClusterAsyncCommands<String, String> redis() {
    return commands.async().get();
  }

  /** Connects and loads the scripts. Blocking: call at start, never on an event loop. */
  public static ReputationStore connect(Vertx vertx, Duration timeout, String redisUrl) {
    // Checked first, so a malformed URL (which may hold a password) is refused without echoing it.
    List<RedisURI> seeds = RedisClusterClients.isCluster(redisUrl) ? RedisClusterClients.seeds(redisUrl)
        : List.of(RedisClusterClients.parse(redisUrl));
    // Reconnect quickly after an outage (Lettuce's default backs off up to 30 s).
    ClientResources resources = DefaultClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
    if (RedisClusterClients.isCluster(redisUrl)) {
      return connectCluster(vertx, timeout, resources, redisUrl);
    }
    RedisURI uri = seeds.get(0);
    // Lettuce waits up to 60 s by default, also for the handshake of a new connection to a Redis that accepts
    // the socket but does not answer (paused, or a network dropping packets).
    uri.setTimeout(timeout);
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // Fail fast while disconnected instead of queueing: lookups fall back, reports get 503 + Retry-After.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // Bounds the commands in flight on a connection too (see MAX_IN_FLIGHT).
        .requestQueueSize(MAX_IN_FLIGHT)
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
        // Every command, not only blocking ones, gives up after the Redis timeout (Lettuce's default: 60 s).
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build());
    try {
      Supplier<CompletionStage<StatefulRedisConnection<String, String>>> connector =
          () -> client.connectAsync(StringCodec.UTF8, uri);
      // Wedged: a command timed out and nothing at all came back on the connection since it was sent.
      var link = new RedisLink<>("requests", client.connect(), connector, timeout);
      var follower = new RedisLink<>("follower", client.connect(), connector, timeout);
      return new ReputationStore(vertx, client, resources, Commands.standalone(link),
          ChangeReader.standalone(follower), timeout, redisUrl);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  private static ReputationStore connectCluster(Vertx vertx, Duration timeout, ClientResources resources,
      String redisUrl) {
    RedisClusterClient client = RedisClusterClients.create(resources, timeout, redisUrl);
    try {
      var link = new RedisLink<>("requests", RedisClusterClients.connect(client),
          () -> client.connectAsync(StringCodec.UTF8), timeout);
      return new ReputationStore(vertx, client, resources, Commands.cluster(link),
          ClusterChangeReader.connect(client), timeout, redisUrl);
    } catch (RuntimeException e) {
      client.shutdown();
      resources.shutdown();
      throw e;
    }
  }

  /** Times and counts every command from now on (the blocking stream reads excepted: they wait by design). */
  public void instrument(MeterRegistry registry) {
    metrics = new StoreMetrics(registry);
  }

  private <T> Future<T> bridge(CompletionStage<T> stage) {
    StoreMetrics m = metrics;
    RedisLink<?> link = commands.link();
    return untimed((m == null ? stage : m.observe(stage)).whenComplete((value, failure) -> link.completed(failure)));
  }

  /** Bridges without timing (the follower's blocking reads wait by design; its reader watches its own links). */
  private <T> Future<T> untimed(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, vertx.getOrCreateContext()).recover(e -> Future.failedFuture(map(e)));
  }

  /** Script and command errors stay as they are (a bug of ours); everything else means Redis is not there. */
  private static Throwable map(Throwable e) {
    Throwable cause = e;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof StoreUnavailableException) {
      return cause;
    }
    if (cause instanceof RedisCommandExecutionException && !transientRefusal(cause.getMessage())) {
      return cause;
    }
    return new StoreUnavailableException("Redis unavailable: " + cause.getMessage(), cause);
  }

  /**
   * Runs any command on the shared connection and bridges its answer to the caller's context, with the same
   * failure mapping as every other store call. For feature stores (keys, overrides, exports) built on this one.
   */
  public <T> Future<T> call(Function<RedisClusterAsyncCommands<String, String>, CompletionStage<T>> command) {
    return bridge(command.apply(redis()));
  }

  /** Synchronous commands on the shared connection, for start-up work only (never on an event loop). */
  public RedisClusterCommands<String, String> syncCommands() {
    return commands.sync().get();
  }

  /** Loads a script from {@code lua/} and registers it (blocking; call at start). */
  public LuaScript script(String name) {
    return LuaScript.load(name, redis());
  }

  public Future<List<Object>> run(LuaScript script, String[] keys, String... args) {
    Consumer<String[]> written = scriptWrites;
    // Told on Lettuce's thread as the script's answer arrives, before the caller's context sees it: whatever the
    // caller does next already misses what the script may have changed.
    return bridge(script.run(redis(), keys, args).whenComplete((result, failure) -> written.accept(keys)));
  }

  /** Told the keys of every script this instance runs once it completed (or failed), e.g. to drop cached copies. */
  public void onScriptWrites(Consumer<String[]> keys) {
    scriptWrites = keys;
  }

  /**
   * Starts an {@link InvalidationChannel} for the keys under {@code prefixes}: one tracking connection to the
   * standalone Redis, or to each master of the cluster (the cluster client's current view, refreshed as it
   * refreshes). Closed with the store.
   */
  public InvalidationChannel invalidations(List<String> prefixes, Duration maxStaleness,
      InvalidationChannel.Listener listener) {
    Supplier<List<RedisURI>> masters;
    if (client instanceof RedisClusterClient cluster) {
      RedisURI seed = RedisClusterClients.seeds(redisUrl).get(0);
      masters = () -> {
        List<RedisURI> uris = new java.util.ArrayList<>();
        for (RedisClusterNode node : cluster.getPartitions()) {
          if (node.is(RedisClusterNode.NodeFlag.UPSTREAM) && node.getUri() != null) {
            uris.add(RedisURI.builder().withHost(node.getUri().getHost()).withPort(node.getUri().getPort())
                .withAuthentication(seed).withTimeout(timeout).withClientName(InvalidationChannel.CLIENT_NAME)
                .build());
          }
        }
        return uris;
      };
    } else {
      RedisURI uri = RedisClusterClients.parse(redisUrl);
      uri.setTimeout(timeout);
      uri.setClientName(InvalidationChannel.CLIENT_NAME);
      List<RedisURI> one = List.of(uri);
      masters = () -> one;
    }
    InvalidationChannel channel = new InvalidationChannel(resources, masters, prefixes, maxStaleness, timeout,
        listener);
    invalidations = channel;
    return channel;
  }

  /**
   * Errors with which a healthy Redis refuses for a while (replaying its AOF after a restart, a slow script, a
   * replica after failover, memory full, cluster resharding): the client should retry, so they are 503s.
   */
  static boolean transientRefusal(String message) {
    if (message == null) {
      return false;
    }
    for (String prefix : new String[] {"LOADING", "BUSY", "READONLY", "OOM", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN",
        "NOREPLICAS", "MISCONF"}) {
      // Raised inside a script the error arrives wrapped: "ERR Error running script ...: -OOM command not allowed".
      if (message.startsWith(prefix) || message.contains("-" + prefix + " ")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Refuses to run with another secret than the one this data was written with: tokens would stop verifying and
   * one network would hash to two, counting twice toward the quorum. Redis keeps only a fingerprint. Blocking.
   */
  public void checkSecret(String fingerprint) {
    var sync = syncCommands();
    sync.set(KeySchema.SECRET_FINGERPRINT, fingerprint, SetArgs.Builder.nx());
    String stored = sync.get(KeySchema.SECRET_FINGERPRINT);
    if (!fingerprint.equals(stored)) {
      throw new IllegalStateException("The reports in this Redis were written with another DUNBLOCK_SECRET "
          + "(or data dir secret file). Start with the original secret; a new one would break every reporter token.");
    }
  }

  public Future<Map<String, String>> number(String e164) {
    return bridge(redis().hgetall(KeySchema.number(e164)));
  }

  public Future<String> ping() {
    return bridge(redis().ping());
  }

  /** One page of a shard's index, for building the filter. */
  public Future<ScoredValueScanCursor<String>> scanIndex(int shard, ScanCursor cursor, int count) {
    return bridge(redis().zscan(KeySchema.index(shard), cursor, ScanArgs.Builder.limit(count)));
  }

  /** The id of the newest change of a shard, or "0-0" when the stream is empty. */
  public Future<String> changesTail(int shard) {
    return bridge(redis().xrevrange(KeySchema.changes(shard), Range.create("-", "+"), Limit.create(0, 1)))
        .map(list -> list.isEmpty() ? "0-0" : list.get(0).getId());
  }

  /**
   * True when a shard's change stream has been trimmed past {@code offset}: it is at its maximum length (only then
   * does MAXLEN trim) and its oldest entry is newer than the offset, so entries after the offset may be gone.
   */
  public Future<Boolean> changesTrimmedPast(int shard, String offset) {
    String key = KeySchema.changes(shard);
    return bridge(redis().xlen(key)).compose(length -> length < CHANGES_MAX_LENGTH
        ? Future.succeededFuture(false)
        : bridge(redis().xrange(key, Range.create("-", "+"), Limit.create(0, 1)))
            .map(first -> !first.isEmpty() && StreamIds.compare(first.get(0).getId(), offset) > 0));
  }

  /**
   * Up to {@code count} changes of a shard after {@code afterId} (exclusive), oldest first, on the shared
   * connection (never blocks it), for serving filter deltas to apps.
   */
  public Future<List<StreamMessage<String, String>>> changesAfter(int shard, String afterId, long count) {
    return bridge(redis().xrange(KeySchema.changes(shard),
        Range.from(Range.Boundary.excluding(afterId), Range.Boundary.unbounded()), Limit.create(0, count)));
  }

  /** True while the change with this id is still kept in the shard's stream (trimming drops the oldest first). */
  public Future<Boolean> changeKept(int shard, String id) {
    return bridge(redis().xrange(KeySchema.changes(shard), Range.create(id, id), Limit.create(0, 1)))
        .map(list -> !list.isEmpty());
  }

  /** Entries now kept in a shard's change stream. */
  public Future<Long> changesLength(int shard) {
    return bridge(redis().xlen(KeySchema.changes(shard)));
  }

  /** Numbers in a shard's index. */
  public Future<Long> indexSize(int shard) {
    return bridge(redis().zcard(KeySchema.index(shard)));
  }

  /**
   * Reads changes after the given ids on the follower connection, waiting up to {@code blockMs} for one.
   * {@code offsets[i]} is the last id seen for shard i. A negative {@code blockMs} returns at once.
   */
  public Future<List<StreamMessage<String, String>>> readChanges(String[] offsets, long blockMs, long count) {
    return untimed(follower.read(offsets, blockMs, count));
  }

  @Override
  public void close() {
    InvalidationChannel channel = invalidations;
    if (channel != null) {
      channel.close();
    }
    commands.link().close();
    follower.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
