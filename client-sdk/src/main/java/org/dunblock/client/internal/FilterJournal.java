package org.dunblock.client.internal;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;

/**
 * The changes applied since the filter file was written ({@code <cacheDir>/filter.journal}), so a live update costs a
 * short appended line (fsync'd) rather than a rewrite of the whole filter. UTF-8 lines:
 *
 * <pre>
 * DBJ1 &lt;file id&gt;                                              the filter file this journal follows
 * &lt;crc32 hex&gt; c\t&lt;version&gt;\t&lt;added,...&gt;\t&lt;removed,...&gt;          a change page or stream event
 * &lt;crc32 hex&gt; t\t&lt;snapshot time ms&gt;                              the snapshot was revalidated (304)
 * </pre>
 *
 * Replay stops at the first line without its newline or with a wrong CRC (a write torn by a crash) and cuts the file
 * there, so later appends are not hidden behind it. A journal of another file id is stale (the file was rewritten
 * and the process died before the journal was reset) and is ignored. Not thread-safe: FilterSync's lock guards it.
 */
final class FilterJournal {
  static final String MAGIC = "DBJ1";

  /** One replayed record. */
  static final class Record {
    final String version;
    final List<String> added;
    final List<String> removed;
    final long snapshotAtMs;

    Record(String version, List<String> added, List<String> removed, long snapshotAtMs) {
      this.version = version;
      this.added = added;
      this.removed = removed;
      this.snapshotAtMs = snapshotAtMs;
    }
  }

  private final File file;
  private long bytes;
  private int records;

  FilterJournal(File file) {
    this.file = file;
  }

  long bytes() {
    return bytes;
  }

  int records() {
    return records;
  }

  File file() {
    return file;
  }

  /** Starts an empty journal for the filter file {@code fileId} (temp file, fsync, rename). */
  void reset(long fileId) throws IOException {
    File tmp = FilterFile.temp(file, ".tmp");
    byte[] header = (MAGIC + " " + fileId + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileOutputStream out = new FileOutputStream(tmp)) {
      out.write(header);
      out.getFD().sync();
    }
    FilterFile.moveInto(tmp, file);
    bytes = header.length;
    records = 0;
  }

  void appendChange(String version, List<String> added, List<String> removed) throws IOException {
    append("c\t" + version + "\t" + String.join(",", added) + "\t" + String.join(",", removed));
  }

  void appendRevalidated(long snapshotAtMs) throws IOException {
    append("t\t" + snapshotAtMs);
  }

  private void append(String payload) throws IOException {
    byte[] body = payload.getBytes(StandardCharsets.UTF_8);
    CRC32 crc = new CRC32();
    crc.update(body);
    byte[] line = (String.format("%08x ", crc.getValue()) + payload + "\n").getBytes(StandardCharsets.UTF_8);
    if (!file.isFile()) {
      throw new IOException("journal " + file + " is gone");
    }
    try (FileOutputStream out = new FileOutputStream(file, true)) {
      out.write(line);
      out.getFD().sync();
    }
    bytes += line.length;
    records++;
  }

  /**
   * Replays the journal of {@code fileId} into {@code apply}; false when there is none for it (missing or stale).
   * A torn tail is cut off.
   */
  boolean replay(long fileId, Consumer<Record> apply) throws IOException {
    if (!file.isFile()) {
      return false;
    }
    long good;
    try (InputStream in = new BufferedInputStream(new FileInputStream(file), 64 * 1024)) {
      byte[] first = line(in);
      if (first == null || !new String(first, StandardCharsets.UTF_8).equals(MAGIC + " " + fileId)) {
        return false;
      }
      good = first.length + 1;
      records = 0;
      for (byte[] raw; (raw = line(in)) != null; ) {
        Record r = parse(raw);
        if (r == null) {
          break;
        }
        apply.accept(r);
        good += raw.length + 1;
        records++;
      }
    }
    if (good < file.length()) {
      try (RandomAccessFile cut = new RandomAccessFile(file, "rw")) {
        cut.setLength(good);
        cut.getFD().sync();
      }
    }
    bytes = good;
    return true;
  }

  /** The next line without its newline; null at the end, or when the last line has no newline (torn). */
  private static byte[] line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(128);
    for (int b; (b = in.read()) >= 0; ) {
      if (b == '\n') {
        return line.toByteArray();
      }
      line.write(b);
    }
    return null;
  }

  private static Record parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    if (text.length() < 10 || text.charAt(8) != ' ') {
      return null;
    }
    String payload = text.substring(9);
    CRC32 crc = new CRC32();
    crc.update(payload.getBytes(StandardCharsets.UTF_8));
    if (!String.format("%08x", crc.getValue()).equals(text.substring(0, 8))) {
      return null;
    }
    String[] fields = payload.split("\t", -1);
    try {
      if (fields[0].equals("c") && fields.length == 4) {
        return new Record(fields[1], list(fields[2]), list(fields[3]), -1);
      }
      if (fields[0].equals("t") && fields.length == 2) {
        return new Record(null, Collections.<String>emptyList(), Collections.<String>emptyList(), Long.parseLong(fields[1]));
      }
    } catch (NumberFormatException e) {
      return null;
    }
    return null;
  }

  private static List<String> list(String field) {
    return field.isEmpty() ? Collections.<String>emptyList() : new ArrayList<>(Arrays.asList(field.split(",")));
  }
}
