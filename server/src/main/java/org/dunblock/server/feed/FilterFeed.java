package org.dunblock.server.feed;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import com.google.common.hash.Hashing;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.StreamMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.filter.FilterFollowerVerticle;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What apps download to screen calls locally: snapshots of the listed numbers as a Bloom filter sized for the
 * actual count, and the changes since a snapshot, read from the same per-shard change streams the server's own
 * filter follows. Shared by every event loop; thread-safe.
 *
 * <p>Why not hand out the server's own filter: it is sized for {@link DunblockConfig#filterExpectedNumbers()} at
 * {@link DunblockConfig#filterFpp()} (18 MB at the defaults), far too much for a phone to download, and it cannot
 * be resized because a Bloom filter cannot list its members. The app filter is rebuilt from the shard indexes at
 * {@link #CLIENT_FPP} for {@code max(MIN_CAPACITY, next power of two >= 2 x count)} numbers: about 1.2 bytes per
 * number, and the same size between snapshots while the list grows. A false positive only costs the app one
 * lookup; a false negative is impossible because the snapshot holds every indexed number up to its version and
 * the changes after it come from the streams.
 */
public final class FilterFeed {
  private static final Logger LOG = LoggerFactory.getLogger(FilterFeed.class);
  /** False-positive probability of app filters at their capacity. */
  public static final double CLIENT_FPP = 0.01;
  /** Smallest app filter capacity (12 KB), so an almost empty list does not need a new size every week. */
  public static final long MIN_CAPACITY = 10_000;
  /** Changes per shard in one answer; a client with more to catch up asks again at once. */
  public static final int PAGE_PER_SHARD = 1_000;
  /** Apps wait at least this long between change polls (the stream is for faster updates). */
  public static final Duration MIN_POLL_INTERVAL = Duration.ofSeconds(60);
  private static final int SCAN_PAGE = 10_000;
  /**
   * Format version of the snapshot body: 1 = Guava {@code BloomFilter.writeTo} of a {@code BloomFilter<CharSequence>}
   * with {@code Funnels.stringFunnel(UTF_8)}, probed as {@link #PROBES} says. Apps ask with {@code ?format=} for the
   * formats they read; a new format gets a new number and the old one stays served to apps that ask for it.
   */
  public static final int FORMAT = 1;
  /** The formats this server can serve. */
  public static final List<Integer> FORMATS = List.of(FORMAT);
  /**
   * The keys an app probes for a number (header X-Filter-Probes), in the grammar of client-sdk/README.md: the number
   * itself; {@code key + prefix} for every prefix from "+" and 3 digits up to {@code short} digits short of the number
   * (NumberFilter#prefixHits, PrefixRules); {@code key + number without its last cut digits} for numbers of at least
   * {@code min} characters (KeySchema#rangeBlock). A hit on any key means "ask the server".
   */
  public static final String PROBES = "exact; prefix key=" + KeySchema.PREFIX_ENTRY + " min=4 short="
      + org.dunblock.server.number.PrefixRules.MIN_FREE_DIGITS + "; range key=" + KeySchema.RANGE_ENTRY
      + " cut=2 min=" + KeySchema.RANGE_MIN_NUMBER_LENGTH;

  private final Vertx vertx;
  private final ReputationStore store;
  private final Clock clock;
  private final Duration retention;
  private final long maxAgeNanos;
  private final java.util.function.Predicate<String> neverListed;
  private final Object lock = new Object();
  private final java.util.concurrent.atomic.AtomicInteger openStreams = new java.util.concurrent.atomic.AtomicInteger();
  private FilterSnapshot current;
  private CompletableFuture<FilterSnapshot> building;

  /**
   * @param maxAge a snapshot older than this is rebuilt on the next request (which is still answered with the
   *     old one, so no request waits for a rebuild once one snapshot exists)
   * @param neverListed numbers whose lookup answers ALLOW unless an operator overrides them (emergency numbers):
   *     snapshots leave them out unless overridden to something else, as their crowd reports' change entries do
   */
  public FilterFeed(Vertx vertx, ReputationStore store, Clock clock, Duration retention, Duration maxAge,
      java.util.function.Predicate<String> neverListed) {
    this.neverListed = neverListed;
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
    this.retention = retention;
    this.maxAgeNanos = maxAge.toNanos();
  }

  /** The current snapshot, building the first one if needed; completes on the caller's context. */
  public Future<FilterSnapshot> snapshot() {
    CompletableFuture<FilterSnapshot> answer;
    synchronized (lock) {
      FilterSnapshot snapshot = current;
      boolean stale = snapshot == null || System.nanoTime() - snapshot.builtAtNanos() >= maxAgeNanos;
      if (stale && building == null) {
        building = startBuild();
      }
      answer = snapshot != null ? CompletableFuture.completedFuture(snapshot) : building;
    }
    return Future.fromCompletionStage(answer, vertx.getOrCreateContext());
  }

  private CompletableFuture<FilterSnapshot> startBuild() {
    CompletableFuture<FilterSnapshot> result = new CompletableFuture<>();
    long started = System.nanoTime();
    build().onComplete(ar -> {
      synchronized (lock) {
        building = null;
        if (ar.succeeded()) {
          current = ar.result();
        }
      }
      if (ar.succeeded()) {
        FilterSnapshot s = ar.result();
        LOG.info("Built app filter snapshot: {} numbers, capacity {}, {} bytes in {} ms", s.numbers(), s.capacity(),
            s.body().length(), (System.nanoTime() - started) / 1_000_000);
        result.complete(s);
      } else {
        LOG.warn("App filter snapshot build failed: {}", ar.cause().getMessage());
        result.completeExceptionally(ar.cause());
      }
    });
    return result;
  }

  /** Live filter streams open on this instance (shared by its event loops). */
  java.util.concurrent.atomic.AtomicInteger openStreams() {
    return openStreams;
  }

  /** The position of every shard's change stream now. */
  public Future<FilterVersion> currentVersion() {
    String[] tails = new String[KeySchema.SHARDS];
    List<Future<String>> reads = new ArrayList<>();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      int s = shard;
      reads.add(store.changesTail(shard).onSuccess(id -> tails[s] = id));
    }
    return Future.all(reads).map(v -> FilterVersion.of(tails));
  }

  private Future<FilterSnapshot> build() {
    long createdAtMs = clock.millis();
    long builtAt = System.nanoTime();
    long cutoff = createdAtMs - retention.toMillis();
    // The version first: whatever is written after it reaches apps as a change, whatever before is in the index.
    return currentVersion().compose(version -> {
      long[] sizes = new long[KeySchema.SHARDS];
      List<Future<Long>> counts = new ArrayList<>();
      for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
        int s = shard;
        counts.add(store.indexSize(shard).onSuccess(n -> sizes[s] = n));
      }
      return Future.all(counts).compose(v -> {
        long capacity = capacityFor(Arrays.stream(sizes).sum());
        BloomFilter<CharSequence> filter =
            BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), capacity, CLIENT_FPP);
        long[] added = new long[1];
        Future<Void> chain = Future.succeededFuture();
        for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
          int s = shard;
          chain = chain.compose(x -> scan(s, ScanCursor.INITIAL, filter, cutoff, added));
        }
        // Serializing megabytes and hashing them is blocking work: keep it off the event loop.
        return chain.compose(x -> vertx.executeBlocking(() -> {
          ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE, capacity * 2));
          try {
            filter.writeTo(out);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
          byte[] bytes = out.toByteArray();
          return new FilterSnapshot(version, Buffer.buffer(bytes), Hashing.sha256().hashBytes(bytes).toString(),
              added[0], capacity, CLIENT_FPP, java.time.Instant.ofEpochMilli(createdAtMs), builtAt, FORMAT, PROBES);
        }));
      });
    });
  }

  /** {@code max(MIN_CAPACITY, next power of two >= 2 x count)}: room to grow, and a stable size meanwhile. */
  static long capacityFor(long count) {
    long wanted = Math.max(MIN_CAPACITY, count * 2);
    return Long.highestOneBit(wanted - 1) << 1;
  }

  private Future<Void> scan(int shard, ScanCursor cursor, BloomFilter<CharSequence> target, long cutoff,
      long[] added) {
    return store.scanIndex(shard, cursor, SCAN_PAGE).compose(page -> {
      List<String> overridden = new ArrayList<>();
      page.getValues().forEach(v -> {
        if (v.getScore() >= KeySchema.PINNED_INDEX_SCORE) {
          overridden.add(v.getValue());
        } else if (v.getScore() >= cutoff && !neverListed.test(v.getValue())) {
          // Numbers past their retention answer as unreported; leaving them out keeps app filters small.
          target.put(v.getValue());
          added[0]++;
        }
      });
      return leaveOutAllowed(overridden, target, added)
          .compose(x -> page.isFinished() ? Future.succeededFuture() : scan(shard, page, target, cutoff, added));
    });
  }

  /**
   * Puts the overridden entries that are not ALLOW: an ALLOW override answers ALLOW from the entry itself, so apps
   * need not ask about it (the changes say "removed" for it, and a snapshot agrees). Overrides are few (operator
   * decisions), so one HGET each costs little. Safe against races: the version was read before, and any later change
   * that makes the entry need a lookup again comes after the version as an "add".
   */
  private Future<Void> leaveOutAllowed(List<String> overridden, BloomFilter<CharSequence> target, long[] added) {
    if (overridden.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Future<String>> verdicts = new ArrayList<>(overridden.size());
    for (String entry : overridden) {
      verdicts.add(store.call(redis -> redis.hget(KeySchema.number(entry), "ovr")));
    }
    return Future.all(verdicts).map(all -> {
      for (int i = 0; i < overridden.size(); i++) {
        if (!"ALLOW".equals(all.resultAt(i))) {
          target.put(overridden.get(i));
          added[0]++;
        }
      }
      return null;
    });
  }

  /**
   * The changes after {@code since}, at most {@code perShard} per shard. Fails with {@link FilterVersionGoneException}
   * when the streams no longer hold everything after {@code since} (the client is too far behind, or the version
   * is from another deployment) and the client must download a snapshot.
   */
  public Future<FilterChanges> changesSince(FilterVersion since, int perShard) {
    List<Future<List<StreamMessage<String, String>>>> reads = new ArrayList<>();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      reads.add(store.changesAfter(shard, since.id(shard), perShard));
    }
    return Future.all(reads).compose(all -> {
      // Checked after the reads: trimming drops the oldest entries first, so if the entry the client holds is
      // still kept now, nothing after it was dropped before we read.
      List<Future<Boolean>> checks = new ArrayList<>();
      for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
        String id = since.id(shard);
        checks.add("0-0".equals(id)
            // Before the first entry: complete unless the stream was ever trimmed, which only happens at its cap.
            ? store.changesLength(shard).map(n -> n < ReputationStore.CHANGES_MAX_LENGTH)
            : store.changeKept(shard, id));
      }
      return Future.all(checks).map(kept -> {
        for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
          if (!kept.<Boolean>resultAt(shard)) {
            throw new FilterVersionGoneException();
          }
        }
        String[] ids = since.ids();
        // Entry -> true when its last change in the page removes it. A number's changes are all in its shard's
        // stream, in order, so the last one is its state at the new version.
        LinkedHashMap<String, Boolean> last = new LinkedHashMap<>();
        boolean more = false;
        for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
          List<StreamMessage<String, String>> messages = all.resultAt(shard);
          for (StreamMessage<String, String> m : messages) {
            String number = m.getBody().get("n");
            // Register changes are for the instances' own filters: the admin-only register stays out of app feeds.
            if (number != null && !KeySchema.isVerifiedEntry(number)) {
              last.remove(number);
              last.put(number, FilterFollowerVerticle.FEED_REMOVE.equals(m.getBody().get("f")));
            }
            ids[shard] = m.getId();
          }
          more |= messages.size() >= perShard;
        }
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        last.forEach((number, remove) -> (remove ? removed : added).add(number));
        return new FilterChanges(FilterVersion.of(ids), added, removed, more);
      });
    });
  }

}
