package org.dunblock.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.embedded.RedisServer;

/**
 * A real redis-server process on a random loopback port, for tests. Never a mock.
 *
 * <p>With {@code -Ddunblock.test.redisCluster=true} (the {@code cluster-it} failsafe run) the same tests run on a
 * {@link TestRedisCluster} instead: {@link #perClass()} then shares one cluster among the classes of the run, and
 * {@link #start()} starts a cluster of its own.
 */
public final class TestRedis implements AutoCloseable, BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
  private static final boolean ON_CLUSTER = Boolean.getBoolean("dunblock.test.redisCluster");
  private static TestRedisCluster sharedCluster;

  private enum Backend { STANDALONE, SHARED_CLUSTER, OWN_CLUSTER }

  private final int port;
  private final Path dir;
  private final Backend backend;
  private RedisServer server;
  private long pid;
  private TestRedisCluster cluster;
  private RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  private TestRedis(int port, Path dir, Backend backend) {
    this.port = port;
    this.dir = dir;
    this.backend = backend;
  }

  private static TestRedis create(Backend backend) {
    try {
      return new TestRedis(freePort(), Files.createTempDirectory("dunblock-test-redis"), backend);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One Redis for a test class: {@code @RegisterExtension static final TestRedis redis = TestRedis.perClass();}
   * starts it before the class's first test, empties it before each test and stops it after the last.
   */
  public static TestRedis perClass() {
    return create(ON_CLUSTER ? Backend.SHARED_CLUSTER : Backend.STANDALONE);
  }

  /** A Redis Cluster of the class's own (six processes), for tests that break it: see {@link #cluster()}. */
  public static TestRedis clusterPerClass() {
    return create(Backend.OWN_CLUSTER);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    startProcess();
  }

  /** Every test of the class starts from an empty store. */
  @Override
  public void beforeEach(ExtensionContext context) {
    flushAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  public static TestRedis start() {
    TestRedis redis = create(ON_CLUSTER ? Backend.OWN_CLUSTER : Backend.STANDALONE);
    try {
      redis.startProcess();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return redis;
  }

  private void startProcess() throws IOException {
    pid = 0;
    if (backend == Backend.SHARED_CLUSTER) {
      cluster = shared();
      return;
    }
    if (backend == Backend.OWN_CLUSTER) {
      cluster = TestRedisCluster.start();
      return;
    }
    server = RedisServer.newRedisServer()
        .port(port)
        .bind("127.0.0.1")
        .setting("dir " + dir)
        .setting("appendonly yes")
        .setting("appendfsync everysec")
        .setting("save \"\"")
        .onShutdownForceStop(true)
        .build();
    server.start();
  }

  private static synchronized TestRedisCluster shared() {
    if (sharedCluster == null) {
      TestRedisCluster started = TestRedisCluster.start();
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "test-cluster-stop"));
      sharedCluster = started;
    }
    return sharedCluster;
  }

  /** The cluster behind this Redis (only for {@link #clusterPerClass()} and cluster runs). */
  public TestRedisCluster cluster() {
    if (cluster == null) {
      throw new IllegalStateException("not a cluster");
    }
    return cluster;
  }

  /** Stops the redis-server process (SIGTERM: Redis flushes its append-only file) keeping its data dir. */
  public void stopProcess() {
    requireStandalone();
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * SIGKILL: redis-server dies at once, without a final AOF flush or goodbye to its clients, as in an out-of-memory
   * kill. Returns once the port is closed; {@link #restartProcess()} brings it back from its AOF.
   */
  public void kill() {
    long pid = pid();
    Signals.send(pid, "KILL");
    Conditions.waitUntil("redis-server " + pid + " gone", Duration.ofSeconds(10), () -> !listening(port));
  }

  /**
   * {@code appendfsync always} until the next restart: every write is fsynced before Redis answers it. A test that
   * kills Redis with SIGKILL and counts acknowledged writes needs it: under {@code everysec}, a background fsync
   * slowed by a busy disk makes Redis hold its AOF writes back for up to 2 s while it still answers (docs/
   * operations.md, the embedded Redis's durability table), and a kill in that window loses acknowledged writes.
   */
  public void fsyncAlways() {
    requireStandalone();
    commands().configSet("appendfsync", "always");
  }

  /** SIGSTOP: the process keeps its sockets but answers nothing (the kernel still accepts connections). */
  public void pause() {
    Signals.send(pid(), "STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() {
    Signals.send(pid(), "CONT");
  }

  private long pid() {
    requireStandalone();
    if (pid == 0) {
      pid = Signals.pidOf(commands());
    }
    return pid;
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Starts the process again on the same port and data dir. */
  public void restartProcess() {
    requireStandalone();
    try {
      startProcess();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  /** Whether this is a Redis Cluster (a cluster run, or {@link #clusterPerClass()}). */
  public boolean onCluster() {
    return backend != Backend.STANDALONE;
  }

  private void requireStandalone() {
    if (cluster != null) {
      throw new UnsupportedOperationException("stopping the whole store is a standalone-Redis test");
    }
  }

  public String url() {
    return cluster != null ? cluster.url() : "redis://127.0.0.1:" + port;
  }

  /** A synchronous connection for inspecting what the server stored. */
  public synchronized RedisClusterCommands<String, String> commands() {
    if (cluster != null) {
      return cluster.commands();
    }
    if (connection == null) {
      client = RedisClient.create(url());
      connection = client.connect();
    }
    return connection.sync();
  }

  public void flushAll() {
    if (cluster != null) {
      cluster.flushAll();
      return;
    }
    commands().flushall();
    commands().configResetstat();
  }

  /** Calls per command since the last reset, from INFO commandstats (e.g. "hgetall" -> 3). */
  public Map<String, Long> commandCalls() {
    return cluster != null ? cluster.commandCalls() : parseCommandStats(commands().info("commandstats"));
  }

  static Map<String, Long> parseCommandStats(String info) {
    Map<String, Long> calls = new HashMap<>();
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_")) {
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        String stats = line.substring(line.indexOf(':') + 1);
        for (String part : stats.split(",")) {
          if (part.startsWith("calls=")) {
            calls.put(name, Long.parseLong(part.substring("calls=".length())));
          }
        }
      }
    }
    return calls;
  }

  /**
   * Commands Redis ran since {@code before} (a {@link #commandCalls()} snapshot), leaving out the stream
   * follower's XREAD, our own INFO, the cluster client's topology refreshes (CLUSTER, CLIENT), the replicas'
   * acknowledgements (REPLCONF), connection handshakes (HELLO: a connection replaced on a loaded machine) and the
   * near cache's invalidation channel (its CLIENT TRACKING and heartbeat PINGs): what lookups and reports cost Redis.
   */
  public Map<String, Long> commandsSince(Map<String, Long> before) {
    Map<String, Long> delta = new HashMap<>();
    commandCalls().forEach((cmd, calls) -> {
      long d = calls - before.getOrDefault(cmd, 0L);
      if (d > 0 && !List.of("xread", "info", "cluster", "client", "replconf", "hello", "ping").contains(cmd)) {
        delta.put(cmd, d);
      }
    });
    return delta;
  }

  /**
   * Every key (but those {@code excluded} names) with its serialized value (DUMP, hex), sorted: equal snapshots mean
   * equal data. TTLs are not part of it.
   */
  public java.util.SortedMap<String, String> snapshot(java.util.function.Predicate<String> excluded) {
    java.util.SortedMap<String, String> all = new java.util.TreeMap<>();
    var commands = commands();
    io.lettuce.core.KeyScanCursor<String> cursor = commands.scan(io.lettuce.core.ScanArgs.Builder.limit(1000));
    for (int page = 0; page < 100_000; page++) {
      for (String key : cursor.getKeys()) {
        if (!excluded.test(key)) {
          byte[] dump = commands.dump(key);
          all.put(key, dump == null ? "(gone)" : java.util.HexFormat.of().formatHex(dump));
        }
      }
      if (cursor.isFinished()) {
        return all;
      }
      cursor = commands.scan(cursor, io.lettuce.core.ScanArgs.Builder.limit(1000));
    }
    throw new AssertionError("keyspace scan did not finish");
  }

  @Override
  public void close() {
    if (cluster != null) {
      if (backend == Backend.OWN_CLUSTER) {
        cluster.close();
      }
      TempDirs.delete(dir);
      return;
    }
    if (connection != null) {
      connection.close();
      client.shutdown();
    }
    try {
      server.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TempDirs.delete(dir);
  }
}
