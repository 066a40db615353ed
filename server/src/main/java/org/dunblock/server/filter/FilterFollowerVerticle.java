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
import java.util.concurrent.TimeUnit;
import java.time.Duration;
import org.dunblock.server.config.FilterOptions;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this instance's {@link NumberFilter} equal to Redis: builds it at start from the shard indexes, then
 * follows the shard change streams (so writes through any instance arrive within milliseconds), and rebuilds it
 * periodically so numbers that aged out stop costing Redis lookups.
 */
public final class FilterFollowerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(FilterFollowerVerticle.class);
  private static final int SCAN_PAGE = 10_000;
  private static final long READ_COUNT = 5_000;
  /**
   * Local event-bus address on which every change this instance follows is published, as
   * {@code "<shard>|<stream id>|<op>|<e164>"}, for the live filter stream to apps: op is {@link #FEED_REMOVE} when
   * app filters may drop the entry (its change has {@code f=rm}, see override.lua), else {@link #FEED_ADD}. The
   * entry is always the last field.
   */
  public static final String CHANGES_ADDRESS = "dunblock.filter.changes";
  public static final String FEED_ADD = "add";
  public static final String FEED_REMOVE = "rm";

  private final FilterOptions options;
  private final Duration redisTimeout;
  /** Index entries older than this are out of the filter: the retention, plus the clock skew allowed to writers. */
  private final long horizonMs;
  private final ReputationStore store;
  private final NumberFilter filter;
  private final Clock clock;
  private final String[] offsets = new String[KeySchema.SHARDS];
  private volatile boolean stopped;
  private long rebuildTimer = -1;
  private Future<Void> rebuilding;
  private final long blockMs;
  private final FilterCheckpoint checkpoint;
  /** Rebuilds may run often (tests run them every 100 ms); a checkpoint is written at most this often after one. */
  private static final long CHECKPOINT_GAP_NANOS = TimeUnit.MINUTES.toNanos(5);
  private long lastCheckpointNanos;

  /**
   * @param retention a record untouched this long is gone from the index, and so from the filter
   * @param clockSkew how far a writer's clock may run ahead of ours
   */
  public FilterFollowerVerticle(FilterOptions options, Duration redisTimeout, Duration retention, Duration clockSkew,
      ReputationStore store, NumberFilter filter, Clock clock) {
    this.options = options;
    this.redisTimeout = redisTimeout;
    this.horizonMs = retention.toMillis() + clockSkew.toMillis();
    this.store = store;
    this.filter = filter;
    this.clock = clock;
    // The follower's blocking read must end well within the Redis command timeout, or every read times out.
    this.blockMs = Math.max(50, Math.min(500, redisTimeout.toMillis() / 2));
    this.checkpoint = new FilterCheckpoint(store::syncCommands, options.expectedNumbers(), options.fpp());
  }

  @Override
  public Future<?> start() {
    // Load in the background: the server listens at once and reports not-ready until the filter is loaded.
    loadUntilDone(0);
    rebuildTimer = vertx.setPeriodic(options.rebuildInterval().toMillis(), id -> rebuild());
    return Future.succeededFuture();
  }

  private void loadUntilDone(int attempt) {
    if (stopped) {
      return;
    }
    // A checkpoint when there is a usable one (FilterCheckpoint); else stream positions first: anything written
    // after them is replayed by the follower, anything before is in the index the rebuild scans.
    boolean[] built = {false};
    restoreCheckpoint().compose(restored -> restored != null ? Future.succeededFuture(restored)
        : tails().compose(tails -> rebuildNow(true).map(tails)).andThen(ar -> built[0] = true)).compose(tails -> {
      System.arraycopy(tails, 0, offsets, 0, offsets.length);
      // Replay what other instances wrote while we scanned; after a build, keep a checkpoint for the next start
      // (before opening the fast path, so readiness means no more background writes of it).
      return drain().compose(v -> built[0] ? saveCheckpoint() : Future.<Void>succeededFuture());
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        filter.markLoaded();
        LOG.info("Filter loaded: about {} numbers, expected false-positive rate {}", filter.approximateSize(),
            String.format("%.5f", filter.expectedFpp()));
        follow(0);
        if (!built[0]) {
          buildHashIndex(0);
        }
      } else {
        long delay = backoff(attempt);
        LOG.warn("Filter load failed ({}); retrying in {} ms", ar.cause().getMessage(), delay);
        vertx.setTimer(delay, t -> loadUntilDone(attempt + 1));
      }
    });
  }

  /**
   * 100 ms doubling to at most 1 s: the follower is one connection, so retrying every second while Redis is away
   * costs nothing, and a longer wait would leave this instance's filter (and its lookups) behind other instances'
   * writes for that long after Redis is back.
   */
  private static long backoff(int attempt) {
    return Math.min(1_000, 100L * (1L << Math.min(attempt, 4)));
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
    if (!filter.loaded()) {
      return;
    }
    rebuildNow(true)
        .onSuccess(v -> {
          if (System.nanoTime() - lastCheckpointNanos >= CHECKPOINT_GAP_NANOS) {
            saveCheckpoint();
          }
        })
        .onFailure(e -> LOG.warn("Periodic filter rebuild failed; keeping the current filter", e));
  }

  /**
   * A checkpoint holds no hash-prefix index (NumberFilter.hashIndex): it is built from the indexes beside the
   * follower, keeping the restored filter, and retried until it is (or a full rebuild built it).
   */
  private void buildHashIndex(int attempt) {
    if (stopped || filter.hashIndex() != null) {
      return;
    }
    rebuildNow(false).onFailure(e -> {
      long delay = backoff(attempt);
      LOG.warn("Hash-prefix index build failed ({}); retrying in {} ms", e.getMessage(), delay);
      vertx.setTimer(delay, t -> buildHashIndex(attempt + 1));
    });
  }

  /** The checkpoint's stream positions once its filter is live; null when there is no usable one. */
  private Future<String[]> restoreCheckpoint() {
    return vertx.executeBlocking(() -> checkpoint.load((shard, offset) -> store.changesTrimmedPast(shard, offset)
            .toCompletionStage().toCompletableFuture().get(redisTimeout.toMillis(), TimeUnit.MILLISECONDS)))
        .map(restored -> {
          if (restored == null) {
            LOG.info("No usable filter checkpoint; building the filter from the indexes");
            return null;
          }
          filter.restore(restored.filter(), restored.prefixes());
          LOG.info("Filter restored from its checkpoint; replaying the change streams from there");
          return restored.offsets();
        })
        .recover(e -> {
          LOG.warn("Filter checkpoint unreadable ({}); building the filter from the indexes", e.toString());
          return Future.succeededFuture(null);
        });
  }

  /**
   * After a full build: a copy for the next start. The filter holds everything up to the offsets copied now. Never
   * fails: without a copy the next start builds from the indexes.
   */
  private Future<Void> saveCheckpoint() {
    lastCheckpointNanos = System.nanoTime();
    FilterCheckpoint.Restored live = filter.live(offsets.clone());
    return vertx.<Void>executeBlocking(() -> {
      checkpoint.save(live.filter(), live.prefixes(), live.offsets());
      return null;
    }).recover(e -> {
      LOG.warn("Could not write the filter checkpoint ({}); the next start builds from the indexes", e.toString());
      return Future.succeededFuture();
    });
  }

  /**
   * Scans the indexes into a fresh filter (with {@code withFilter} false: only a fresh hash-prefix index) and swaps
   * it in. One rebuild at a time: a caller arriving while one runs gets that one. The follower keeps adding to both
   * filters meanwhile, so nothing written during the scan is lost.
   */
  private Future<Void> rebuildNow(boolean withFilter) {
    if (rebuilding != null) {
      return rebuilding;
    }
    // Trim with a margin for other instances' clocks, so a fast clock here never drops what they still count.
    long cutoff = clock.millis() - horizonMs;
    BloomFilter<CharSequence> next = withFilter ? filter.beginRebuild() : null;
    if (!withFilter) {
      filter.beginHashIndexRebuild();
    }
    Future<Void> chain = Future.succeededFuture();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      int s = shard;
      chain = chain.compose(v -> store.trimIndex(s, cutoff)).compose(v -> scanShard(s, ScanCursor.INITIAL, next));
    }
    Future<Void> run = chain.andThen(ar -> {
      rebuilding = null;
      if (!withFilter) {
        filter.swapHashIndex(ar.succeeded());
      } else if (ar.succeeded()) {
        filter.swap(next);
      } else {
        filter.abandonRebuild(next);
      }
    });
    // andThen may already have run (a synchronous failure); only remember a rebuild still in flight.
    rebuilding = run.isComplete() ? null : run;
    return run;
  }

  private Future<Void> scanShard(int shard, ScanCursor cursor, BloomFilter<CharSequence> target) {
    return store.scanIndex(shard, cursor, SCAN_PAGE).compose(page -> {
      page.getValues().forEach(v -> {
        if (target != null) {
          target.put(v.getValue());
        }
        filter.rebuildSaw(v.getValue());
      });
      return page.isFinished() ? Future.succeededFuture() : scanShard(shard, page, target);
    });
  }

  private Future<Void> drain() {
    return store.readChanges(offsets, -1, READ_COUNT).compose(messages -> {
      apply(messages);
      return messages.isEmpty() ? Future.succeededFuture() : drain();
    });
  }

  private void follow(int failures) {
    if (stopped) {
      return;
    }
    store.readChanges(offsets, blockMs, READ_COUNT).onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.succeeded()) {
        apply(ar.result());
        follow(0);
        return;
      }
      long delay = backoff(failures);
      LOG.warn("Change stream read failed ({}); retrying in {} ms", ar.cause().getMessage(), delay);
      // Reading on from our offsets replays everything we missed, unless the streams were trimmed past them.
      vertx.setTimer(delay, t -> checkGap().onComplete(gap -> follow(failures + 1)));
    });
  }

  /**
   * When a stream was trimmed past our offset (we were away for a long time), follow from its current tail and
   * rebuild beside the follower, which keeps feeding both filters.
   */
  private Future<Void> checkGap() {
    Future<Void> check = Future.succeededFuture();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      int s = shard;
      check = check.compose(v -> store.changesTrimmedPast(s, offsets[s]).compose(trimmed -> {
        if (!trimmed) {
          return Future.succeededFuture();
        }
        LOG.warn("Change stream of shard {} was trimmed past our position; rebuilding the filter", s);
        return store.changesTail(s).map(tail -> {
          offsets[s] = tail;
          rebuildNow(true);
          return null;
        });
      }));
    }
    return check;
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
        String op = FEED_REMOVE.equals(message.getBody().get("f")) ? FEED_REMOVE : FEED_ADD;
        vertx.eventBus().publish(CHANGES_ADDRESS, shard + "|" + message.getId() + "|" + op + "|" + number);
      }
    }
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
