package org.dunblock.client.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Server answers kept for their Cache-Control max-age (never no-store or no-cache ones); LRU-bounded. */
public final class ResponseCache<V> {
  private final int maxEntries;
  private final Map<String, Object[]> entries;

  public ResponseCache(int maxEntries) {
    this.maxEntries = maxEntries;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Object[]> eldest) {
        return size() > ResponseCache.this.maxEntries;
      }
    };
  }

  /** Seconds an answer may be reused under this Cache-Control header, or 0. */
  public static long maxAgeSeconds(String cacheControl) {
    if (cacheControl == null) {
      return 0;
    }
    long maxAge = 0;
    for (String directive : cacheControl.toLowerCase(Locale.ROOT).split(",")) {
      String d = directive.trim();
      if (d.equals("no-store") || d.equals("no-cache") || d.equals("private")) {
        return 0;
      }
      if (d.startsWith("max-age=")) {
        try {
          maxAge = Long.parseLong(d.substring("max-age=".length()).trim());
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return Math.max(0, maxAge);
  }

  public synchronized void put(String key, V value, long maxAgeSeconds) {
    if (maxAgeSeconds <= 0 || maxEntries <= 0) {
      entries.remove(key);
      return;
    }
    entries.put(key, new Object[] {value, System.nanoTime() + maxAgeSeconds * 1_000_000_000L});
  }

  @SuppressWarnings("unchecked")
  public synchronized V get(String key) {
    Object[] entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (System.nanoTime() - (long) entry[1] >= 0) {
      entries.remove(key);
      return null;
    }
    return (V) entry[0];
  }

  public synchronized void clear() {
    entries.clear();
  }
}
