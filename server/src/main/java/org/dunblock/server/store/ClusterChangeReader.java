package org.dunblock.server.store;

import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The follower's reads on a Redis Cluster. The sixteen shard streams live in sixteen slots, and one XREAD may only
 * name keys of one slot, so each shard is read by its own XREAD on its own cluster connection (a blocking read holds
 * its connection, and Redis answers one connection's commands in order). A read returns as soon as any shard has
 * news; the other shards' reads stay in flight and are collected by the next call, so nothing waits for the slowest
 * shard and nothing is read twice.
 *
 * <p>Calls must not overlap (the next starts after the previous one completed), as the follower does.
 */
final class ClusterChangeReader implements ChangeReader {
  private final List<StatefulRedisClusterConnection<String, String>> connections;
  @SuppressWarnings("unchecked")
  private final CompletableFuture<List<StreamMessage<String, String>>>[] pending =
      new CompletableFuture[KeySchema.SHARDS];

  private ClusterChangeReader(List<StatefulRedisClusterConnection<String, String>> connections) {
    this.connections = connections;
  }

  /** Opens one connection per shard, connected to the shard's master already (blocking; call at start). */
  static ClusterChangeReader connect(RedisClusterClient client) {
    List<StatefulRedisClusterConnection<String, String>> connections = new ArrayList<>();
    try {
      for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
        StatefulRedisClusterConnection<String, String> connection = client.connect();
        connections.add(connection);
        RedisURI master = connection.getPartitions().getMasterBySlot(SlotHash.getSlot(KeySchema.changes(shard)))
            .getUri();
        connection.getConnection(master.getHost(), master.getPort());
      }
    } catch (RuntimeException e) {
      connections.forEach(StatefulRedisClusterConnection::close);
      throw e;
    }
    return new ClusterChangeReader(connections);
  }

  @Override
  public CompletionStage<List<StreamMessage<String, String>>> read(String[] offsets, long blockMs, long count) {
    XReadArgs args = ChangeReader.args(blockMs, count);
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      if (pending[shard] == null) {
        pending[shard] = connections.get(shard).async()
            .xread(args, XReadArgs.StreamOffset.from(KeySchema.changes(shard), offsets[shard]))
            .toCompletableFuture();
      }
    }
    // Without blocking every shard answers at once: wait for all, so an empty result means "nothing new".
    CompletableFuture<?> ready = blockMs < 0 ? CompletableFuture.allOf(pending) : CompletableFuture.anyOf(pending);
    return ready.handle((x, e) -> null).thenCompose(x -> collect());
  }

  /**
   * Takes every finished read. A failed one fails the call and the others' messages are dropped with it: their
   * offsets do not move, so the next call reads them again.
   */
  private CompletionStage<List<StreamMessage<String, String>>> collect() {
    List<StreamMessage<String, String>> messages = new ArrayList<>();
    Throwable failure = null;
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      CompletableFuture<List<StreamMessage<String, String>>> read = pending[shard];
      if (read == null || !read.isDone()) {
        continue;
      }
      pending[shard] = null;
      try {
        List<StreamMessage<String, String>> got = read.join();
        if (got != null) {
          messages.addAll(got);
        }
      } catch (CompletionException | java.util.concurrent.CancellationException e) {
        failure = e.getCause() != null ? e.getCause() : e;
      }
    }
    return failure == null ? CompletableFuture.completedFuture(messages) : CompletableFuture.failedFuture(failure);
  }

  @Override
  public void close() {
    connections.forEach(StatefulRedisClusterConnection::close);
  }
}
