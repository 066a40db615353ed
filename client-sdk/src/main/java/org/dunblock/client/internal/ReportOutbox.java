package org.dunblock.client.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.logging.Logger;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The durable queue of reports not yet acknowledged by the server: one file per report in
 * {@code <dataDir>/outbox}, written before the first delivery attempt and deleted only after a 2xx (or a
 * permanent refusal). The file holds the Idempotency-Key, so every retry, across restarts, sends the same key and
 * the server counts the report once.
 */
public final class ReportOutbox {
  private static final Logger LOG = Logger.getLogger(ReportOutbox.class.getName());

  /** One queued report. */
  public static final class Entry {
    public final String idempotencyKey;
    public final JSONObject body;
    /** The number the report is about, as the SDK normalises it: the queue keeps one report per number. */
    public final String numberKey;
    /** The phone's clock when the report was made, or 0 for files of older SDKs. */
    public final long madeAtMs;
    final File file;
    final long bytes;

    Entry(String idempotencyKey, JSONObject body, String numberKey, long madeAtMs, File file, long bytes) {
      this.idempotencyKey = idempotencyKey;
      this.body = body;
      this.numberKey = numberKey;
      this.madeAtMs = madeAtMs;
      this.file = file;
      this.bytes = bytes;
    }
  }

  private final File dir;
  private final Function<JSONObject, String> numberKeyOf;
  /** The last name sequence used: names sort in the order reports were made, whatever the wall clock does. */
  private long lastSeq;

  /** {@code numberKeyOf} names the number of a report body (for files written before the key was stored). */
  public ReportOutbox(File dataDir, Function<JSONObject, String> numberKeyOf) {
    this.dir = new File(dataDir, "outbox");
    this.numberKeyOf = numberKeyOf;
    if (!dir.isDirectory() && !dir.mkdirs()) {
      throw new UncheckedIOException(new IOException("cannot create " + dir));
    }
    String[] names = dir.list((d, name) -> name.endsWith(".json"));
    for (String n : names == null ? new String[0] : names) {
      int dash = n.indexOf('-');
      try {
        lastSeq = Math.max(lastSeq, Long.parseLong(n.substring(0, dash)));
      } catch (RuntimeException e) {
        // not one of our names
      }
    }
  }

  /** Stores a report durably and returns it with its new Idempotency-Key. */
  public synchronized Entry add(JSONObject body, String numberKey, long madeAtMs) {
    String key = UUID.randomUUID().toString();
    // Names sort in the order reports were made: the wall clock's millisecond, never below the last name's + 1,
    // so two reports in one millisecond, or a clock set back, keep their order.
    lastSeq = Math.max(System.currentTimeMillis(), lastSeq + 1);
    File file = new File(dir, String.format("%015d-%s.json", lastSeq, key));
    JSONObject stored = new JSONObject().put("idempotencyKey", key).put("body", body).put("numberKey", numberKey)
        .put("madeAtMs", madeAtMs);
    byte[] bytes = stored.toString().getBytes(StandardCharsets.UTF_8);
    try {
      AtomicFiles.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot queue the report in " + dir, e);
    }
    return new Entry(key, body, numberKey, madeAtMs, file, bytes.length);
  }

  /** Removes the queued reports made before {@code newer} on its number; returns them. */
  public List<Entry> supersede(Entry newer) {
    List<Entry> gone = new ArrayList<>();
    for (Entry e : pending()) {
      if (e.file.getName().compareTo(newer.file.getName()) < 0 && e.numberKey.equals(newer.numberKey)
          && remove(e)) {
        gone.add(e);
      }
    }
    return gone;
  }

  /**
   * Removes the oldest queued reports other than {@code keep} until at most {@code maxReports} files of at most
   * {@code maxBytes} in all are left; returns them.
   */
  public List<Entry> trim(int maxReports, long maxBytes, Entry keep) {
    List<Entry> all = pending();
    int count = all.size();
    long bytes = 0;
    for (Entry e : all) {
      bytes += e.bytes;
    }
    List<Entry> gone = new ArrayList<>();
    for (Entry e : all) {
      if (count <= maxReports && bytes <= maxBytes) {
        break;
      }
      if (e.file.equals(keep.file)) {
        continue;
      }
      if (remove(e)) {
        gone.add(e);
        count--;
        bytes -= e.bytes;
      }
    }
    return gone;
  }

  /** Queued reports, oldest first. Unreadable files (a torn write before the rename cannot happen) are skipped. */
  public List<Entry> pending() {
    File[] files = dir.listFiles((d, name) -> name.endsWith(".json"));
    List<Entry> entries = new ArrayList<>();
    if (files == null) {
      return entries;
    }
    Arrays.sort(files);
    for (File f : files) {
      try {
        JSONObject stored = new JSONObject(new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8));
        JSONObject body = stored.getJSONObject("body");
        String numberKey = stored.optString("numberKey", "");
        entries.add(new Entry(stored.getString("idempotencyKey"), body,
            numberKey.isEmpty() ? numberKeyOf.apply(body) : numberKey, stored.optLong("madeAtMs", 0), f, f.length()));
      } catch (IOException | JSONException e) {
        // Moved aside, not retried: an unreadable file counted as pending made the flush reschedule itself
        // at once, for ever. Kept in outbox/quarantine for diagnosis.
        File quarantine = new File(dir, "quarantine");
        if ((quarantine.isDirectory() || quarantine.mkdirs()) && f.renameTo(new File(quarantine, f.getName()))) {
          LOG.warning("Quarantined unreadable queued report " + f + ": " + e.getMessage());
        } else {
          LOG.warning("Could not quarantine unreadable queued report " + f + ": " + e.getMessage());
        }
      }
    }
    return entries;
  }

  public int size() {
    String[] names = dir.list((d, name) -> name.endsWith(".json"));
    return names == null ? 0 : names.length;
  }

  /** Deletes a queued report's file; false when it is still there. */
  public boolean remove(Entry entry) {
    if (!entry.file.delete() && entry.file.exists()) {
      LOG.warning("Could not delete queued report " + entry.file);
      return false;
    }
    return true;
  }
}
