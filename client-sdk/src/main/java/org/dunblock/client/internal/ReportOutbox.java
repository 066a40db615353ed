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
    final File file;

    Entry(String idempotencyKey, JSONObject body, File file) {
      this.idempotencyKey = idempotencyKey;
      this.body = body;
      this.file = file;
    }
  }

  private final File dir;

  public ReportOutbox(File dataDir) {
    this.dir = new File(dataDir, "outbox");
    if (!dir.isDirectory() && !dir.mkdirs()) {
      throw new UncheckedIOException(new IOException("cannot create " + dir));
    }
  }

  /** Stores a report durably and returns it with its new Idempotency-Key. */
  public Entry add(JSONObject body) {
    String key = UUID.randomUUID().toString();
    // Names sort by creation time, so reports are delivered in the order they were made.
    File file = new File(dir, String.format("%015d-%s.json", System.currentTimeMillis(), key));
    JSONObject stored = new JSONObject().put("idempotencyKey", key).put("body", body);
    try {
      AtomicFiles.write(file, stored.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot queue the report in " + dir, e);
    }
    return new Entry(key, body, file);
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
        entries.add(new Entry(stored.getString("idempotencyKey"), stored.getJSONObject("body"), f));
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

  public void remove(Entry entry) {
    if (!entry.file.delete() && entry.file.exists()) {
      LOG.warning("Could not delete delivered report " + entry.file);
    }
  }
}
