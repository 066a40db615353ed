package org.dunblock.server.audit;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.ReputationStore;
import org.dunblock.server.store.StreamIds;

/**
 * The append-only audit log, read newest first. Entries are written next to what they record (each shard's
 * stream for overrides on its numbers, the keys stream for key changes) so writing them is atomic with the change;
 * reading merges the streams by id, which orders them by time.
 */
public final class AuditLog {
  public static final int MAX_LIMIT = 1000;

  private final ReputationStore store;

  public AuditLog(ReputationStore store) {
    this.store = store;
  }

  static List<String> streams() {
    List<String> streams = new ArrayList<>();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      streams.add(KeySchema.audit(shard));
    }
    streams.add(KeySchema.KEYS_AUDIT);
    streams.add(AUDIT_OTHER);
    // Changes to the register of verified callers (protect/), written atomically with the register.
    streams.add(KeySchema.VERIFIED_CALLER_AUDIT);
    return streams;
  }

  /** Audit stream for actions that belong to no number shard (appeal decisions, imports). */
  public static final String AUDIT_OTHER = KeySchema.AUDIT_OTHER;

  /**
   * Appends an entry for an action that belongs to no number shard (an import, an appeal decision) to
   * {@link #AUDIT_OTHER}: {@code at} (epoch ms), {@code actor} (a key id), {@code action}, {@code target},
   * {@code reason}, {@code details}.
   */
  public Future<Void> append(java.util.Map<String, String> entry) {
    return store.call(redis -> redis.xadd(AUDIT_OTHER, entry)).mapEmpty();
  }

  /** Newest entries first, strictly older than {@code before} (a stream id) when given. */
  public Future<List<JsonObject>> read(int limit, String before) {
    List<Future<List<StreamMessage<String, String>>>> reads = new ArrayList<>();
    Range<String> range = Range.create("-", before == null ? "+" : "(" + before);
    for (String stream : streams()) {
      reads.add(store.call(redis -> redis.xrevrange(stream, range, Limit.create(0, limit))));
    }
    return Future.all(reads).map(done -> {
      List<StreamMessage<String, String>> all = new ArrayList<>();
      reads.forEach(f -> all.addAll(f.result()));
      all.sort((x, y) -> StreamIds.compare(y.getId(), x.getId()));
      List<JsonObject> entries = new ArrayList<>();
      for (StreamMessage<String, String> m : all.subList(0, Math.min(limit, all.size()))) {
        var b = m.getBody();
        entries.add(new JsonObject()
            .put("id", m.getId())
            .put("at", Instant.ofEpochMilli(Long.parseLong(b.getOrDefault("at", "0"))).toString())
            .put("actor", b.get("actor"))
            .put("action", b.get("action"))
            .put("target", b.get("target"))
            .put("reason", b.get("reason"))
            .put("details", b.get("details")));
      }
      return entries;
    });
  }
}
