package org.dunblock.server.store;

import org.dunblock.server.config.ConfigException;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis Cluster as Dunblock's store: {@code DUNBLOCK_REDIS_URL=redis-cluster://host1:port,host2:port} names some
 * nodes (any reachable one is enough, the client discovers the rest). Every key and script follows
 * {@link KeySchema}'s hash tags, so Lettuce's cluster client routes each command to the one master owning its slot;
 * its view of who owns what is refreshed periodically and at once on MOVED/ASK redirects and reconnects, so a
 * replica promoted after a master dies takes over within seconds.
 *
 * <p>The client options mirror the standalone client's ({@link ReputationStore#connect}): commands fail fast while
 * a node is unreachable instead of queueing, with the configured command timeout and a bounded queue.
 */
public final class RedisClusterClients {
  /** URL scheme that selects the cluster client; plain {@code redis://} stays a standalone server. */
  public static final String SCHEME = "redis-cluster://";
  /** How often every instance re-reads the cluster layout even when nothing prompted it. */
  static final Duration PERIODIC_REFRESH = Duration.ofSeconds(5);
  /** Minimum gap between two refreshes prompted by redirects or reconnects, so a storm of them costs one. */
  static final Duration ADAPTIVE_REFRESH_GAP = Duration.ofMillis(500);

  private RedisClusterClients() {
  }

  public static boolean isCluster(String url) {
    return url.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
  }

  /**
   * The seed nodes of a {@code redis-cluster://[user:password@]host:port,host:port} URL, each as a
   * {@code redis://} URI with the shared credentials.
   */
  public static List<RedisURI> seeds(String url) {
    String rest = url.substring(SCHEME.length());
    // The credentials end at the last '@'; a password may hold '/', so a path starts only after them.
    int at = rest.lastIndexOf('@');
    int slash = rest.indexOf('/', at + 1);
    if (slash >= 0) {
      rest = rest.substring(0, slash);
    }
    String credentials = at >= 0 ? rest.substring(0, at + 1) : "";
    List<RedisURI> seeds = new ArrayList<>();
    for (String node : rest.substring(at + 1).split(",")) {
      if (!node.isBlank()) {
        seeds.add(parse("redis://" + credentials + node.trim()));
      }
    }
    if (seeds.isEmpty()) {
      throw new ConfigException("DUNBLOCK_REDIS_URL", "names no cluster node: expected " + SCHEME
          + "host:port[,host:port...]");
    }
    return seeds;
  }

  /**
   * A {@code redis://} URL as Lettuce reads it, or a {@link ConfigException} that never repeats the URL: Lettuce's
   * own error quotes it, password and all, and would print it at start.
   */
  public static RedisURI parse(String url) {
    try {
      return RedisURI.create(url);
    } catch (RuntimeException e) {
      throw new ConfigException("DUNBLOCK_REDIS_URL", "is not a valid Redis URL (expected "
          + "redis://[[user]:password@]host[:port][/database] or " + SCHEME + "host:port[,host:port...]; the value "
          + "is not shown, as it may hold a password)");
    }
  }

  /** A cluster client for the URL's seed nodes (connects nothing yet). */
  public static RedisClusterClient create(ClientResources resources, Duration timeout, String url) {
    List<RedisURI> seeds = seeds(url);
    // As for a standalone Redis: handshakes give up after the Redis timeout, not Lettuce's 60 s.
    seeds.forEach(seed -> seed.setTimeout(timeout));
    RedisClusterClient client = RedisClusterClient.create(resources, seeds);
    client.setOptions(options(timeout));
    return client;
  }

  /**
   * Opens a cluster connection with its connections to every master already established. Lettuce connects to a
   * node on first use (routing by slot keys its node connections by host and port), and while that connection is
   * being made commands to it are rejected (we fail fast while disconnected), so without this the first requests
   * after a start would be refused. Blocking.
   */
  public static StatefulRedisClusterConnection<String, String> connect(RedisClusterClient client) {
    StatefulRedisClusterConnection<String, String> connection = client.connect();
    try {
      for (RedisClusterNode node : connection.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          connection.getConnection(node.getUri().getHost(), node.getUri().getPort());
        }
      }
      return connection;
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  static ClusterClientOptions options(Duration timeout) {
    return ClusterClientOptions.builder()
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(PERIODIC_REFRESH)
            .enableAllAdaptiveRefreshTriggers()
            .adaptiveRefreshTriggersTimeout(ADAPTIVE_REFRESH_GAP)
            .refreshTriggersReconnectAttempts(2)
            .build())
        .maxRedirects(5)
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(ReputationStore.MAX_IN_FLIGHT)
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout))
        .build();
  }
}
