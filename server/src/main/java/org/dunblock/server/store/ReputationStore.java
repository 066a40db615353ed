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
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.config.PatternPolicy;

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
  private final LuaScript reportScript;
  private final DunblockConfig config;
  private volatile StoreMetrics metrics;

  private ReputationStore(Vertx vertx, DunblockConfig config, AbstractRedisClient client, ClientResources resources,
      Commands commands, ChangeReader follower) {
    this.vertx = vertx;
    this.config = config;
    this.client = client;
    this.resources = resources;
    this.commands = commands;
    this.follower = follower;
    this.reportScript = LuaScript.load("report.lua", redis());
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
  public static ReputationStore connect(Vertx vertx, DunblockConfig config, String redisUrl) {
    // Reconnect quickly after an outage (Lettuce's default backs off up to 30 s).
    ClientResources resources = DefaultClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
        .build();
    if (RedisClusterClients.isCluster(redisUrl)) {
      return connectCluster(vertx, config, resources, redisUrl);
    }
    RedisURI uri = RedisURI.create(redisUrl);
    // Lettuce waits up to 60 s by default, also for the handshake of a new connection to a Redis that accepts
    // the socket but does not answer (paused, or a network dropping packets).
    uri.setTimeout(config.redisTimeout());
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // Fail fast while disconnected instead of queueing: lookups fall back, reports get 503 + Retry-After.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // Bounds the commands in flight on a connection too (see MAX_IN_FLIGHT).
        .requestQueueSize(MAX_IN_FLIGHT)
        .socketOptions(SocketOptions.builder().connectTimeout(config.redisTimeout()).keepAlive(true).build())
        // Every command, not only blocking ones, gives up after the Redis timeout (Lettuce's default: 60 s).
        .timeoutOptions(TimeoutOptions.enabled(config.redisTimeout()))
        .build());
    try {
      Supplier<CompletionStage<StatefulRedisConnection<String, String>>> connector =
          () -> client.connectAsync(StringCodec.UTF8, uri);
      // Wedged: a command timed out and nothing at all came back on the connection since it was sent.
      var link = new RedisLink<>("requests", client.connect(), connector, config.redisTimeout());
      var follower = new RedisLink<>("follower", client.connect(), connector, config.redisTimeout());
      return new ReputationStore(vertx, config, client, resources, Commands.standalone(link),
          ChangeReader.standalone(follower));
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  private static ReputationStore connectCluster(Vertx vertx, DunblockConfig config, ClientResources resources,
      String redisUrl) {
    RedisClusterClient client = RedisClusterClients.create(resources, config, redisUrl);
    try {
      var link = new RedisLink<>("requests", RedisClusterClients.connect(client),
          () -> client.connectAsync(StringCodec.UTF8), config.redisTimeout());
      return new ReputationStore(vertx, config, client, resources, Commands.cluster(link),
          ClusterChangeReader.connect(client));
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
    return bridge(script.run(redis(), keys, args));
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

  /**
   * Stores a report (report.lua). For a reported call ({@link ReportCommand#reportedCall()}) the same script then
   * keeps the number's abuse-pattern windows (the configured {@link PatternPolicy}) and answers with the number's
   * record, one round trip for both.
   */
  public Future<ReportOutcome> report(ReportCommand c) {
    String[] keys = {
        KeySchema.number(c.number()), KeySchema.votes(c.number()), KeySchema.networks(c.number()),
        KeySchema.idempotency(c.number(), c.idempotencyKeyHash() == null ? "none" : c.idempotencyKeyHash()),
        KeySchema.index(KeySchema.shardOf(c.number())), KeySchema.changes(KeySchema.shardOf(c.number())),
        KeySchema.reports(KeySchema.shardOf(c.number())), KeySchema.numberLog(c.number()),
        KeySchema.voteTimes(c.number()), KeySchema.windows(c.number()), KeySchema.windowVotes(c.number())};
    List<String> args = new ArrayList<>(27);
    Collections.addAll(args,
        c.number(), c.reporterHash(), c.networkHash(), c.category().name(), c.category().negative() ? "1" : "0",
        Long.toString(c.occurredAtMs()), Long.toString(c.nowMs()),
        Long.toString(config.scoring().halfLife().toMillis()),
        c.idempotencyKeyHash() == null ? "0" : Long.toString(config.idempotencyTtl().toMillis()),
        c.fingerprint(), c.reportId(), Long.toString(config.retention().toMillis()),
        Long.toString(CHANGES_MAX_LENGTH), c.platform() == null ? "" : c.platform(), c.note() == null ? "" : c.note(),
        KeySchema.PINNED_INDEX_SCORE_TEXT,
        Long.toString(config.scoring().maxReportAge().toMillis()), weight(c.weight()), c.reportedCall() ? "0" : "1",
        weight(c.quorumWeight()));
    if (c.reportedCall()) {
      PatternPolicy windows = config.patterns();
      Collections.addAll(args, ms(windows.longestWindow()),
          ms(windows.fanOutWindow()), Integer.toString(windows.fanOutMinReporters()),
          Integer.toString(windows.fanOutMinNetworks()), ms(windows.bombingWindow()),
          Integer.toString(windows.bombingMinReporters()), Integer.toString(windows.bombingMinNetworks()));
    }
    return bridge(reportScript.run(redis(), keys, args.toArray(String[]::new))).map(reply -> {
      String status = (String) reply.get(0);
      if ("replay".equals(status)) {
        // stored as fingerprint|reportId|counted
        String[] parts = ((String) reply.get(1)).split("\\|", 3);
        return new ReportOutcome(parts[1], "1".equals(parts[2]), true, parts[0]);
      }
      String reportId = (String) reply.get(1);
      boolean counted = "1".equals(reply.get(2));
      if (reply.size() < 4) {
        return new ReportOutcome(reportId, counted, false, c.fingerprint());
      }
      String failure = (String) reply.get(3);
      if (!failure.isEmpty()) {
        return new ReportOutcome(reportId, counted, false, c.fingerprint(), null, failure);
      }
      Map<String, String> record = new HashMap<>(reply.size());
      for (int i = 4; i + 1 < reply.size(); i += 2) {
        record.put((String) reply.get(i), (String) reply.get(i + 1));
      }
      return new ReportOutcome(reportId, counted, false, c.fingerprint(), record, null);
    });
  }

  private static String ms(Duration d) {
    return Long.toString(d.toMillis());
  }

  /** A vote weight as report.lua stores it: "1" for crowd votes, else the shortest exact decimal. */
  static String weight(double weight) {
    return weight == 1.0 ? "1" : java.math.BigDecimal.valueOf(weight).stripTrailingZeros().toPlainString();
  }

  /** One page of a shard's index, for building the filter. */
  public Future<ScoredValueScanCursor<String>> scanIndex(int shard, ScanCursor cursor, int count) {
    return bridge(redis().zscan(KeySchema.index(shard), cursor, ScanArgs.Builder.limit(count)));
  }

  /** Drops numbers whose last write is older than the retention from a shard's index. */
  public Future<Long> trimIndex(int shard, long olderThanMs) {
    return bridge(redis().zremrangebyscore(KeySchema.index(shard),
        Range.create(Double.NEGATIVE_INFINITY, (double) olderThanMs)));
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
    commands.link().close();
    follower.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
