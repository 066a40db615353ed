package org.dunblock.server.export;

import io.lettuce.core.MapScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValueScanCursor;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.store.ReputationStore;

/**
 * Redis side of exports: paging through the shard indexes, pipelined record reads, the per-shard snapshot of what
 * each export contained (for {@code since=<version>}) and each export's metadata and signature. Every call is one
 * page, so an export of any size holds one page in memory.
 */
public final class ExportStore {
  private final ReputationStore store;
  private final LuaScript mark;
  private final LuaScript gone;
  private final LuaScript slot;
  private final long ttlMs;

  /** Loads the scripts (blocking; construct at start). */
  public ExportStore(ReputationStore store, Duration ttl) {
    this.store = store;
    this.mark = store.script("export-mark.lua");
    this.gone = store.script("export-gone.lua");
    this.slot = store.script("export-slot.lua");
    this.ttlMs = ttl.toMillis();
  }

  public long ttlMs() {
    return ttlMs;
  }

  /** Takes one of a key's export slots; see {@code export-slot.lua} for the answer. */
  public Future<List<Object>> takeSlot(String keyId, String version, long now, int maxRunning, int maxPerDay,
      long leaseMs) {
    String[] keys = {KeySchema.exportsRunning(keyId), KeySchema.exportsOfDay(keyId)};
    return store.run(slot, keys, new String[] {Long.toString(now), version, Integer.toString(maxRunning),
        Integer.toString(maxPerDay), Long.toString(leaseMs)});
  }

  /** Gives a finished (or failed) export's running slot back. */
  public Future<Void> releaseSlot(String keyId, String version) {
    return store.call(redis -> redis.zrem(KeySchema.exportsRunning(keyId), version)).mapEmpty();
  }

  public Future<Map<String, String>> meta(String version) {
    return store.call(redis -> redis.hgetall(KeySchema.exportMeta(version)));
  }

  /** Writes (or adds to) an export's metadata and restarts its time to live. */
  public Future<Void> putMeta(String version, Map<String, String> fields) {
    String key = KeySchema.exportMeta(version);
    return store.call(redis -> redis.hset(key, fields).thenCompose(n -> redis.pexpire(key, ttlMs)))
        .mapEmpty();
  }

  public Future<ScoredValueScanCursor<String>> scanIndex(int shard, ScanCursor cursor, int count) {
    return store.scanIndex(shard, cursor, count);
  }

  /** The records of a page of numbers, pipelined: every HGETALL is sent before the first answer comes back. */
  public Future<List<Map<String, String>>> records(List<String> numbers) {
    List<String> keys = new ArrayList<>(numbers.size());
    for (String number : numbers) {
      keys.add(KeySchema.number(number));
    }
    return hashes(keys);
  }

  /** The hashes at these keys (records, prefix-override records, range records), pipelined like {@link #records}. */
  public Future<List<Map<String, String>>> hashes(List<String> keys) {
    return store.call(redis -> {
      List<CompletableFuture<Map<String, String>>> replies = new ArrayList<>(keys.size());
      for (String key : keys) {
        replies.add(redis.hgetall(key).toCompletableFuture());
      }
      CompletionStage<List<Map<String, String>>> all = CompletableFuture.allOf(replies.toArray(new CompletableFuture[0]))
          .thenApply(v -> {
            List<Map<String, String>> records = new ArrayList<>(replies.size());
            for (CompletableFuture<Map<String, String>> reply : replies) {
              records.add(reply.join());
            }
            return records;
          });
      return all;
    });
  }

  /**
   * Records a page of rows in this export's snapshot of the shard; see {@code export-mark.lua} for the answer
   * (one of 0, 1, 2 per row).
   */
  public Future<List<Object>> mark(int shard, String version, String previous, List<String> numbersAndHashes) {
    String current = KeySchema.exportRows(shard, version);
    String[] keys = {current, previous == null ? current : KeySchema.exportRows(shard, previous)};
    String[] args = new String[numbersAndHashes.size() + 2];
    args[0] = Long.toString(ttlMs);
    args[1] = previous == null ? "0" : "1";
    for (int i = 0; i < numbersAndHashes.size(); i++) {
      args[i + 2] = numbersAndHashes.get(i);
    }
    return store.run(mark, keys, args);
  }

  /** One page of a previous export's snapshot of a shard. */
  public Future<MapScanCursor<String, String>> scanSnapshot(int shard, String version, ScanCursor cursor, int count) {
    return store.call(redis -> redis.hscan(KeySchema.exportRows(shard, version), cursor, ScanArgs.Builder.limit(count)));
  }

  /** Of these numbers from the previous export, the ones this export does not list (each returned once). */
  public Future<List<Object>> gone(int shard, String version, List<String> previousNumbers) {
    String[] keys = {KeySchema.exportRows(shard, version), KeySchema.exportGone(shard, version)};
    String[] args = new String[previousNumbers.size() + 1];
    args[0] = Long.toString(ttlMs);
    for (int i = 0; i < previousNumbers.size(); i++) {
      args[i + 1] = previousNumbers.get(i);
    }
    return store.run(gone, keys, args);
  }

  public Future<Void> dropGone(int shard, String version) {
    return store.call(redis -> redis.del(KeySchema.exportGone(shard, version))).mapEmpty();
  }
}
