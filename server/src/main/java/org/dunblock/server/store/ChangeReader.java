package org.dunblock.server.store;

import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Reads the shard change streams for the filter follower on connections of its own, so its blocking reads never
 * hold up request traffic on the shared connection.
 */
interface ChangeReader {
  /**
   * Changes after {@code offsets[shard]} for every shard, waiting up to {@code blockMs} for one (negative: at once).
   */
  CompletionStage<List<StreamMessage<String, String>>> read(String[] offsets, long blockMs, long count);

  void close();

  static XReadArgs args(long blockMs, long count) {
    return blockMs < 0 ? XReadArgs.Builder.count(count) : XReadArgs.Builder.block(blockMs).count(count);
  }

  /**
   * A standalone Redis: one XREAD over all sixteen streams on one dedicated connection, replaced by its
   * {@link RedisLink} when wedged.
   */
  static ChangeReader standalone(RedisLink<StatefulRedisConnection<String, String>> link) {
    return new ChangeReader() {
      @Override
      public CompletionStage<List<StreamMessage<String, String>>> read(String[] offsets, long blockMs, long count) {
        @SuppressWarnings("unchecked")
        XReadArgs.StreamOffset<String>[] streams = new XReadArgs.StreamOffset[offsets.length];
        for (int shard = 0; shard < offsets.length; shard++) {
          streams[shard] = XReadArgs.StreamOffset.from(KeySchema.changes(shard), offsets[shard]);
        }
        return link.connection().async().xread(args(blockMs, count), streams)
            .whenComplete((list, failure) -> link.completed(failure))
            .thenApply(list -> list == null ? new ArrayList<>() : list);
      }

      @Override
      public void close() {
        link.close();
      }
    };
  }
}
