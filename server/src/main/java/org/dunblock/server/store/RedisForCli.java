package org.dunblock.server.store;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.List;
import org.dunblock.server.config.RedisOptions;

/**
 * A synchronous Redis connection for command-line tools: the configured Redis, or the embedded one of a running
 * server on the same data directory, or (when no server runs) an embedded one started just for the command. A
 * {@code redis-cluster://} URL connects to the cluster.
 */
public final class RedisForCli implements AutoCloseable {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final AbstractRedisClient client;
  private final StatefulConnection<String, String> connection;
  private final RedisClusterCommands<String, String> commands;
  private final EmbeddedRedis started;

  private RedisForCli(AbstractRedisClient client, StatefulConnection<String, String> connection,
      RedisClusterCommands<String, String> commands, EmbeddedRedis started) {
    this.client = client;
    this.connection = connection;
    this.commands = commands;
    this.started = started;
  }

  public static RedisForCli open(RedisOptions config) {
    if (config.url().isPresent()) {
      return connect(config.url().get(), null);
    }
    String running = EmbeddedRedis.runningUrl(config.dataDir());
    if (running != null) {
      try {
        return connect(running, null);
      } catch (RuntimeException e) {
        // A stale port file from a server that died: start our own below.
      }
    }
    EmbeddedRedis embedded = EmbeddedRedis.start(config.dataDir(), 0, config.embeddedFsync());
    try {
      return connect(embedded.url(), embedded);
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    }
  }

  private static RedisForCli connect(String url, EmbeddedRedis started) {
    if (RedisClusterClients.isCluster(url)) {
      List<RedisURI> seeds = RedisClusterClients.seeds(url);
      seeds.forEach(uri -> uri.setTimeout(TIMEOUT));
      RedisClusterClient client = RedisClusterClient.create(seeds);
      try {
        StatefulRedisClusterConnection<String, String> connection = client.connect();
        return new RedisForCli(client, connection, connection.sync(), started);
      } catch (RuntimeException e) {
        client.shutdown();
        throw e;
      }
    }
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(TIMEOUT);
    RedisClient client = RedisClient.create(uri);
    try {
      StatefulRedisConnection<String, String> connection = client.connect();
      return new RedisForCli(client, connection, connection.sync(), started);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  public RedisClusterCommands<String, String> commands() {
    return commands;
  }

  @Override
  public void close() {
    connection.close();
    client.shutdown();
    if (started != null) {
      started.close();
    }
  }
}
