package org.dunblock.server.protect;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This instance's copy of the operators' register of verified callers, read lock-free by every lookup that reaches
 * the calculator. {@link VerifiedCallerStore} keeps it equal to Redis: loaded at start, each change re-read when its
 * change-stream entry arrives, and reloaded whole periodically. Updates are rare and synchronized; a reload does not
 * overwrite entries re-read after it began (they are newer than its snapshot).
 */
public final class VerifiedCallers {
  /** One registered number: who it belongs to and who registered it when. */
  public record Entry(String name, CallerCategory category, String note, long atMs, String by) {
    public JsonObject toJson() {
      return new JsonObject().put("name", name).put("category", category.name()).put("note", note)
          .put("at", atMs).put("by", by);
    }

    public static Entry fromJson(String json) {
      JsonObject o = new JsonObject(json);
      return new Entry(o.getString("name"), CallerCategory.valueOf(o.getString("category", "OTHER")),
          o.getString("note"), o.getLong("at", 0L), o.getString("by"));
    }
  }

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Long> touched = new HashMap<>();
  private long epoch;

  public boolean contains(String e164) {
    return !entries.isEmpty() && entries.containsKey(e164);
  }

  public Entry get(String e164) {
    return entries.get(e164);
  }

  public int size() {
    return entries.size();
  }

  /** The number's current entry as just read from Redis (null: not registered). */
  public synchronized void put(String e164, Entry entry) {
    touched.put(e164, epoch);
    if (entry == null) {
      entries.remove(e164);
    } else {
      entries.put(e164, entry);
    }
  }

  /** Before reading the whole register: returns the mark {@link #finishReload} needs. */
  public synchronized long beginReload() {
    return ++epoch;
  }

  /** Replaces the copy with a snapshot read after {@code mark}, keeping what was re-read since. */
  public synchronized void finishReload(long mark, Map<String, Entry> snapshot) {
    entries.keySet().removeIf(n -> !snapshot.containsKey(n) && touched.getOrDefault(n, -1L) < mark);
    snapshot.forEach((n, e) -> {
      if (touched.getOrDefault(n, -1L) < mark) {
        entries.put(n, e);
      }
    });
    touched.values().removeIf(at -> at < mark);
  }

  Map<String, Entry> copy() {
    return new HashMap<>(entries);
  }
}
