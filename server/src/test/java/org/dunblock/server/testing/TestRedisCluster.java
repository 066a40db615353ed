package org.dunblock.server.testing;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;
import redis.embedded.RedisServer;

/**
 * A real Redis Cluster on loopback for tests: six redis-server processes (the embedded-redis binary), three masters
 * each with one replica, the slots split evenly, a one-second node timeout so a replica takes over a killed master
 * within seconds. Built with plain cluster commands (MEET, ADDSLOTS, REPLICATE), as {@code redis-cli --cluster
 * create} would. Most tests reach it through {@link TestRedis} (see {@link TestRedis#clusterPerClass()}).
 */
public final class TestRedisCluster implements AutoCloseable {
  static final int MASTERS = 3;
  /** Milliseconds a node may be unreachable before the others declare it failed and its replica takes over. */
  static final int NODE_TIMEOUT_MS = 1000;
  private static final int SLOTS = SlotHash.SLOT_COUNT;
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private final Path dir;
  private final List<Node> nodes = new ArrayList<>();
  private RedisClusterClient client;
  private StatefulRedisClusterConnection<String, String> connection;

  /** One redis-server process and a plain (non-cluster) connection to it for administration. */
  private static final class Node {
    final int port;
    final RedisServer server;
    final RedisClient client;
    StatefulRedisConnection<String, String> connection;
    boolean killed;

    Node(int port, RedisServer server) {
      this.port = port;
      this.server = server;
      RedisURI uri = RedisURI.create("redis://127.0.0.1:" + port);
      uri.setTimeout(Duration.ofSeconds(5));
      this.client = RedisClient.create(uri);
    }

    synchronized RedisCommands<String, String> commands() {
      if (connection == null) {
        connection = client.connect();
      }
      return connection.sync();
    }

    String id() {
      return commands().clusterMyId();
    }

    boolean master() {
      return commands().info("replication").contains("role:master");
    }
  }

  private TestRedisCluster(Path dir) {
    this.dir = dir;
  }

  /** Starts six nodes and forms the cluster; returns when every slot is served and every replica is in sync. */
  public static TestRedisCluster start() {
    TestRedisCluster cluster;
    try {
      cluster = new TestRedisCluster(Files.createTempDirectory("dunblock-test-cluster"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      cluster.startNodes();
      cluster.form();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  private void startNodes() {
    for (int i = 0; i < 2 * MASTERS; i++) {
      int port = freeClusterPort();
      try {
        Path nodeDir = Files.createDirectories(dir.resolve("node-" + port));
        RedisServer server = RedisServer.newRedisServer()
            .port(port)
            .bind("127.0.0.1")
            .setting("dir " + nodeDir)
            .setting("cluster-enabled yes")
            .setting("cluster-config-file nodes.conf")
            .setting("cluster-node-timeout " + NODE_TIMEOUT_MS)
            // While a master is down, the other masters keep serving their slots.
            .setting("cluster-require-full-coverage no")
            .setting("appendonly yes")
            .setting("appendfsync everysec")
            .setting("save \"\"")
            .onShutdownForceStop(true)
            .build();
        server.start();
        nodes.add(new Node(port, server));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private void form() {
    for (int m = 0; m < MASTERS; m++) {
      int from = m * SLOTS / MASTERS;
      int to = (m + 1) * SLOTS / MASTERS;
      nodes.get(m).commands().clusterAddSlots(IntStream.range(from, to).toArray());
    }
    Node first = nodes.get(0);
    for (Node node : nodes.subList(1, nodes.size())) {
      first.commands().clusterMeet("127.0.0.1", node.port);
    }
    Conditions.waitUntil("every node to know the other five", SETTLE,
        () -> nodes.stream().allMatch(n -> n.commands().clusterInfo().contains("cluster_known_nodes:" + nodes.size())));
    for (int m = 0; m < MASTERS; m++) {
      nodes.get(MASTERS + m).commands().clusterReplicate(nodes.get(m).id());
    }
    awaitHealthy();
    client = RedisClusterClient.create(RedisURI.create("redis://127.0.0.1:" + first.port));
    connection = client.connect();
  }

  /** Waits until every slot is served by a master with a replica in sync (after start or a failover). */
  public void awaitHealthy() {
    Conditions.waitUntil("the cluster to be healthy", SETTLE, () -> {
      for (Node node : live()) {
        String info = node.commands().clusterInfo();
        if (!info.contains("cluster_state:ok") || !info.contains("cluster_slots_ok:" + SLOTS)) {
          return false;
        }
        String replication = node.commands().info("replication");
        if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
          return false;
        }
      }
      return true;
    });
  }

  private List<Node> live() {
    return nodes.stream().filter(n -> !n.killed).toList();
  }

  private List<Node> masters() {
    return live().stream().filter(Node::master).toList();
  }

  /** A port that is free together with its cluster bus port (port + 10000). */
  private static int freeClusterPort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 50_000);
      if (bindable(port) && bindable(port + 10_000)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port pair for a cluster node");
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The server's URL for this cluster: every node as a seed. */
  public String url() {
    StringBuilder url = new StringBuilder("redis-cluster://");
    for (Node node : nodes) {
      url.append(url.length() > "redis-cluster://".length() ? "," : "").append("127.0.0.1:").append(node.port);
    }
    return url.toString();
  }

  /** Cluster-aware synchronous commands (routed by key slot; FLUSHALL and SCRIPT FLUSH go to every master). */
  public RedisAdvancedClusterCommands<String, String> commands() {
    return connection.sync();
  }

  public void flushAll() {
    for (Node node : masters()) {
      node.commands().flushall();
    }
    for (Node node : live()) {
      node.commands().configResetstat();
    }
  }

  /** INFO commandstats summed over the masters (replicas repeat what their master ran). */
  public Map<String, Long> commandCalls() {
    Map<String, Long> calls = new HashMap<>();
    for (Node node : masters()) {
      TestRedis.parseCommandStats(node.commands().info("commandstats"))
          .forEach((command, count) -> calls.merge(command, count, Long::sum));
    }
    return calls;
  }

  /** The port of the master now serving {@code key}'s slot, as this cluster's client sees it. */
  public int masterPortOf(String key) {
    return connection.getPartitions().getMasterBySlot(SlotHash.getSlot(key)).getUri().getPort();
  }

  /** Live masters serving slots now (one fewer between a master's death and its replica's promotion). */
  public long liveMasters() {
    return masters().size();
  }

  /** Masters that own at least one of the given keys' slots. */
  public long mastersOwning(List<String> keys) {
    return keys.stream().map(k -> connection.getPartitions().getMasterBySlot(SlotHash.getSlot(k)).getNodeId())
        .distinct().count();
  }

  /**
   * Kills (SIGKILL, no goodbye, no AOF flush) the master that serves {@code key}'s slot, as a crashed machine
   * would; its replica is promoted after {@link #NODE_TIMEOUT_MS}. Returns the killed node's port.
   */
  public int killMasterOf(String key) {
    int slot = SlotHash.getSlot(key);
    for (Node node : masters()) {
      if (servesSlot(node, slot)) {
        long pid = Long.parseLong(infoField(node.commands().info("server"), "process_id"));
        ProcessHandle process = ProcessHandle.of(pid).orElseThrow();
        process.destroyForcibly();
        process.onExit().join();
        node.killed = true;
        node.connection.close();
        node.connection = null;
        return node.port;
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  private static boolean servesSlot(Node node, int slot) {
    for (String line : node.commands().clusterNodes().split("\n")) {
      if (line.contains("myself")) {
        String[] fields = line.trim().split(" ");
        for (int i = 8; i < fields.length; i++) {
          String[] range = fields[i].split("-");
          if (range[0].startsWith("[")) {
            continue;
          }
          int from = Integer.parseInt(range[0]);
          int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
          if (slot >= from && slot <= to) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static String infoField(String info, String name) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(name + ":")) {
        return line.substring(name.length() + 1).trim();
      }
    }
    throw new IllegalStateException(name + " missing from INFO");
  }

  @Override
  public void close() {
    if (connection != null) {
      connection.close();
      client.shutdown();
    }
    for (Node node : nodes) {
      if (node.connection != null) {
        node.connection.close();
      }
      node.client.shutdown();
      if (!node.killed) {
        try {
          node.server.stop();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    TempDirs.delete(dir);
  }
}
