package org.dunblock.server.store;

import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The follower's reads on a Redis Cluster. The sixteen shard streams live in sixteen slots, and one XREAD may only
 * name keys of one slot, so each shard is read by its own XREAD on its own cluster connection (a blocking read holds
 * its connection, and Redis answers one connection's commands in order). A read returns as soon as any shard has
 * news; the other shards' reads stay in flight and are collected by the next call, so nothing waits for the slowest
 * shard and nothing is read twice. A shard whose master fails is retried on its own (see {@link #collect()}).
 *
 * <p>Calls must not overlap (the next starts after the previous one completed), as the follower does.
 */
final class ClusterChangeReader implements ChangeReader {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterChangeReader.class);
  /** Longest wait before a failed shard is read again. */
  private static final long MAX_RETRY_MS = 2_000;

  private final List<StatefulRedisClusterConnection<String, String>> connections;
  /** Reads of each shard that failed in a row; 0 after a success. */
  private final int[] failures = new int[KeySchema.SHARDS];
  /** True while a shard's pending future is only the wait before reading it again. */
  private final boolean[] backingOff = new boolean[KeySchema.SHARDS];
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
   * Takes every finished read. A shard whose read failed (its master is failing over, say) is read again after a
   * backoff of its own while the others go on, so one failing master does not hold up the changes of the rest;
   * only when every shard's last read failed does the call fail (the store is down: the caller backs off and
   * checks for trimmed streams). A failed read's shard keeps its offset, so nothing is skipped.
   */
  private CompletionStage<List<StreamMessage<String, String>>> collect() {
    List<StreamMessage<String, String>> messages = new ArrayList<>();
    Throwable failure = null;
    List<Integer> failed = new ArrayList<>();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      CompletableFuture<List<StreamMessage<String, String>>> read = pending[shard];
      if (read == null || !read.isDone()) {
        continue;
      }
      pending[shard] = null;
      if (backingOff[shard]) {
        backingOff[shard] = false;
        continue;
      }
      try {
        List<StreamMessage<String, String>> got = read.join();
        if (got != null) {
          messages.addAll(got);
        }
        failures[shard] = 0;
      } catch (CompletionException | CancellationException e) {
        failure = e.getCause() != null ? e.getCause() : e;
        failures[shard]++;
        failed.add(shard);
      }
    }
    if (failure != null && Arrays.stream(failures).allMatch(f -> f > 0)) {
      return CompletableFuture.failedFuture(failure);
    }
    for (int shard : failed) {
      long delayMs = Math.min(MAX_RETRY_MS, 100L << Math.min(failures[shard] - 1, 5));
      LOG.warn("Change stream read of shard {} failed ({}); reading it again in {} ms", shard,
          failure.getMessage(), delayMs);
      pending[shard] = CompletableFuture.supplyAsync(List::of,
          CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS));
      backingOff[shard] = true;
    }
    return CompletableFuture.completedFuture(messages);
  }

  @Override
  public void close() {
    connections.forEach(StatefulRedisClusterConnection::close);
  }
}
