package org.dunblock.server.filter;

import com.google.common.hash.BloomFilter;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.StreamMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's {@link NumberFilter} equal to Redis: builds it at start from the shard indexes, then
 * follows the shard change streams (so writes through any instance arrive within milliseconds), and rebuilds it
 * periodically so numbers that aged out stop costing Redis lookups.
 */
public final class FilterSyncVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FilterSyncVerticle.class);
  private static final int SCAN_PAGE = 10_000;
  private static final long BLOCK_MS = 500;
  private static final long READ_COUNT = 5_000;
  /**
   * Local event-bus address on which every change this instance follows is published, as
   * {@code "<shard>|<stream id>|<e164>"}, for the live filter stream to apps.
   */
  public static final String CHANGES_ADDRESS = "dunblock.filter.changes";

  private final DunblockConfig config;
  private final ReputationStore store;
  private final NumberFilter filter;
  private final Clock clock;
  private final String[] offsets = new String[KeySchema.SHARDS];
  private volatile boolean stopped;
  private long rebuildTimer = -1;
  private boolean rebuilding;

  public FilterSyncVerticle(DunblockConfig config, ReputationStore store, NumberFilter filter, Clock clock) {
    this.config = config;
    this.store = store;
    this.filter = filter;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    // Load in the background: the server listens at once and reports not-ready until the filter is loaded.
    loadUntilDone(0);
    rebuildTimer = vertx.setPeriodic(config.filterRebuildInterval().toMillis(), id -> rebuild());
    return Future.succeededFuture();
  }

  private void loadUntilDone(int attempt) {
    if (stopped) {
      return;
    }
    // Stream positions first: anything written after them is replayed by the follower, anything before is
    // in the index the rebuild scans.
    tails().compose(tails -> rebuildNow().map(tails)).onComplete(ar -> {
      if (ar.succeeded()) {
        System.arraycopy(ar.result(), 0, offsets, 0, offsets.length);
        // Replay what other instances wrote while we scanned, then open the fast path.
        drain().onComplete(d -> {
          if (d.failed()) {
            loadUntilDone(attempt + 1);
            return;
          }
          filter.markLoaded();
          LOG.info("Filter loaded: about {} numbers, expected false-positive rate {}", filter.approximateSize(),
              String.format("%.5f", filter.expectedFpp()));
          follow();
        });
      } else {
        long delay = Math.min(5_000, 200L * (1L << Math.min(attempt, 5)));
        LOG.warn("Filter load failed ({}); retrying in {} ms", ar.cause().getMessage(), delay);
        vertx.setTimer(delay, t -> loadUntilDone(attempt + 1));
      }
    });
  }

  private Future<String[]> tails() {
    String[] tails = new String[KeySchema.SHARDS];
    Future<?>[] reads = new Future<?>[KeySchema.SHARDS];
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      int s = shard;
      reads[shard] = store.changesTail(shard).onSuccess(id -> tails[s] = id);
    }
    return Future.all(Arrays.asList(reads)).map(tails);
  }

  /** Periodic rebuild; a failure keeps the current filter (it is a superset, so still exact). */
  private void rebuild() {
    if (rebuilding || !filter.loaded()) {
      return;
    }
    rebuildNow().onFailure(e -> LOG.warn("Periodic filter rebuild failed; keeping the current filter", e));
  }

  private Future<Void> rebuildNow() {
    rebuilding = true;
    long cutoff = clock.millis() - config.retention().toMillis();
    BloomFilter<CharSequence> next = filter.beginRebuild();
    Future<Void> chain = Future.succeededFuture();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      int s = shard;
      chain = chain.compose(v -> store.trimIndex(s, cutoff)).compose(v -> scanShard(s, ScanCursor.INITIAL, next));
    }
    return chain.andThen(ar -> {
      rebuilding = false;
      if (ar.succeeded()) {
        filter.swap(next);
      } else {
        filter.abandonRebuild();
      }
    });
  }

  private Future<Void> scanShard(int shard, ScanCursor cursor, BloomFilter<CharSequence> target) {
    return store.scanIndex(shard, cursor, SCAN_PAGE).compose(page -> {
      page.getValues().forEach(v -> target.put(v.getValue()));
      return page.isFinished() ? Future.succeededFuture() : scanShard(shard, page, target);
    });
  }

  private Future<Void> drain() {
    return store.readChanges(offsets, -1, READ_COUNT).compose(messages -> {
      apply(messages);
      return messages.isEmpty() ? Future.succeededFuture() : drain();
    });
  }

  private void follow() {
    if (stopped) {
      return;
    }
    store.readChanges(offsets, BLOCK_MS, READ_COUNT).onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.succeeded()) {
        apply(ar.result());
        follow();
      } else {
        LOG.warn("Change stream read failed ({}); retrying", ar.cause().getMessage());
        // If the follower fell too far behind (stream trimmed), a rebuild covers the gap.
        vertx.setTimer(500, t -> catchUp());
      }
    });
  }

  private void catchUp() {
    Future<Void> check = Future.succeededFuture();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      int s = shard;
      check = check.compose(v -> store.changesHead(s).map(head -> {
        if (head != null && compareIds(head, offsets[s]) > 0) {
          throw new IllegalStateException("shard " + s + " trimmed past our position");
        }
        return null;
      }));
    }
    check.recover(e -> {
      LOG.warn("Change stream gap ({}); rebuilding the filter", e.getMessage());
      return tails().compose(t -> rebuildNow().map(v -> {
        System.arraycopy(t, 0, offsets, 0, offsets.length);
        return null;
      }));
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        follow();
      } else {
        vertx.setTimer(1_000, t -> catchUp());
      }
    });
  }

  private void apply(List<StreamMessage<String, String>> messages) {
    for (StreamMessage<String, String> message : messages) {
      String number = message.getBody().get("n");
      if (number != null) {
        filter.add(number);
      }
      String stream = message.getStream();
      int shard = Integer.parseInt(stream.substring(stream.indexOf("{s") + 2, stream.indexOf('}')));
      offsets[shard] = message.getId();
      if (number != null) {
        vertx.eventBus().publish(CHANGES_ADDRESS, shard + "|" + message.getId() + "|" + number);
      }
    }
  }

  static int compareIds(String a, String b) {
    String[] x = a.split("-");
    String[] y = b.split("-");
    int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
    return c != 0 ? c : Long.compare(Long.parseLong(x[1]), Long.parseLong(y[1]));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    if (rebuildTimer >= 0) {
      vertx.cancelTimer(rebuildTimer);
    }
    return Future.succeededFuture();
  }
}
