package org.dunblock.server.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import org.dunblock.server.config.DunblockConfig;

/**
 * A synchronous Redis connection for command-line tools: the configured Redis, or the embedded one of a running
 * server on the same data directory, or (when no server runs) an embedded one started just for the command.
 */
public final class RedisForCli implements AutoCloseable {
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final EmbeddedRedis started;

  private RedisForCli(RedisClient client, StatefulRedisConnection<String, String> connection, EmbeddedRedis started) {
    this.client = client;
    this.connection = connection;
    this.started = started;
  }

  public static RedisForCli open(DunblockConfig config) {
    if (config.redisUrl().isPresent()) {
      return connect(config.redisUrl().get(), null);
    }
    Integer running = EmbeddedRedis.runningPort(config.dataDir());
    if (running != null) {
      try {
        return connect("redis://127.0.0.1:" + running, null);
      } catch (RuntimeException e) {
        // A stale port file from a server that died: start our own below.
      }
    }
    EmbeddedRedis embedded = EmbeddedRedis.start(config.dataDir(), 0, config.embeddedRedisFsync());
    try {
      return connect(embedded.url(), embedded);
    } catch (RuntimeException e) {
      embedded.close();
      throw e;
    }
  }

  private static RedisForCli connect(String url, EmbeddedRedis started) {
    RedisURI uri = RedisURI.create(url);
    uri.setTimeout(Duration.ofSeconds(10));
    RedisClient client = RedisClient.create(uri);
    try {
      return new RedisForCli(client, client.connect(), started);
    } catch (RuntimeException e) {
      client.shutdown();
      throw e;
    }
  }

  public RedisCommands<String, String> commands() {
    return connection.sync();
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
