package org.dunblock.client.internal;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Heap needed to load and to download a big filter, with the SDK's streaming code ("new") and with the byte[] code
 * it replaced ("old", FilterSync/FilterState as of commit f90517b, copied below). Run each mode in a fresh JVM with
 * a small -Xmx: the smallest -Xmx that works is what a phone must have free. See client-sdk/README.md for the
 * commands (client-sdk/bench-filter-heap.sh runs them all).
 *
 * <pre>
 * prepare DIR NUMBERS   build a snapshot body (DIR/snapshot.bin) and a filter file of NUMBERS numbers
 * load-new DIR | load-old DIR | download-new DIR | download-old DIR
 * </pre>
 */
public final class FilterHeapBench {
  private static final int MAGIC_1 = 0x44424631;

  private FilterHeapBench() {
  }

  public static void main(String[] args) throws Exception {
    File dir = new File(args[1]);
    long started = System.nanoTime();
    Object kept;
    switch (args[0]) {
      case "prepare":
        prepare(dir, Long.parseLong(args[2]));
        return;
      case "load-new":
        kept = FilterFile.read(new File(dir, "filter.dat"), 0);
        break;
      case "load-old":
        kept = oldLoad(Files.readAllBytes(new File(dir, "filter-old.dat").toPath()));
        break;
      case "download-new":
        kept = newDownload(dir);
        break;
      case "download-old":
        kept = oldDownload(dir);
        break;
      default:
        throw new IllegalArgumentException(args[0]);
    }
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.out.printf("%s ok in %d ms, heap after GC %.1f MB (kept %s)%n", args[0],
        (System.nanoTime() - started) / 1_000_000, (rt.totalMemory() - rt.freeMemory()) / 1e6,
        kept.getClass().getSimpleName());
  }

  static void prepare(File dir, long numbers) throws IOException {
    dir.mkdirs();
    long wanted = Math.max(10_000, numbers * 2);
    long capacity = Long.highestOneBit(wanted - 1) << 1; // FilterFeed.capacityFor
    BloomFilter<CharSequence> bloom = BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), capacity, 0.01);
    for (long i = 0; i < numbers; i++) {
      bloom.put("+86138" + String.format("%08d", i * 7 % 100_000_000));
    }
    try (FileOutputStream out = new FileOutputStream(new File(dir, "snapshot.bin"))) {
      bloom.writeTo(out);
    }
    FilterState s = new FilterState(bloom, "1.AAAA", "\"etag\"", capacity, numbers, 0, System.currentTimeMillis(), 0,
        1, FilterProbes.parse(FilterProbes.FORMAT_1_DEFAULT), ConcurrentHashMap.newKeySet(), 1);
    FilterFile.write(new File(dir, "filter.dat"), s, 1);
    Files.write(new File(dir, "filter-old.dat").toPath(), oldToFile(bloom, "1.AAAA", "\"etag\"", capacity, 0, 0));
    System.out.printf("prepared %d numbers, capacity %d, snapshot %d bytes%n", numbers, capacity,
        new File(dir, "snapshot.bin").length());
  }

  /** The streaming download: the body (here a file stream, in the SDK OkHttp's) to a temp file, then read back. */
  static FilterState newDownload(File dir) throws IOException {
    File tmp = new File(dir, "filter.dat.download");
    FilterFile.Header header = new FilterFile.Header(2, "1.AAAA", "\"etag\"", 0, 0, 0, System.currentTimeMillis(),
        1, FilterProbes.FORMAT_1_DEFAULT, ConcurrentHashMap.newKeySet());
    try (InputStream body = new FileInputStream(new File(dir, "snapshot.bin"))) {
      FilterFile.writeDownload(tmp, header, body);
    }
    FilterState s = FilterFile.read(tmp, 1);
    FilterFile.moveInto(tmp, new File(dir, "filter-downloaded.dat"));
    return s;
  }

  // ---- the replaced code, as of f90517b ------------------------------------------------------------------------

  /** Http.exchange read the body with body.bytes(); downloadSnapshot hashed and parsed it; persist wrote toFile(). */
  static BloomFilter<CharSequence> oldDownload(File dir) throws IOException {
    byte[] body = Files.readAllBytes(new File(dir, "snapshot.bin").toPath());
    FilterState.hex(FilterState.sha256(body));
    BloomFilter<CharSequence> bloom = BloomFilter.readFrom(new ByteArrayInputStream(body),
        Funnels.stringFunnel(StandardCharsets.UTF_8));
    byte[] file = oldToFile(bloom, "1.AAAA", "\"etag\"", 0, 0, 0);
    AtomicFiles.write(new File(dir, "filter-downloaded-old.dat"), file);
    return bloom;
  }

  static byte[] oldToFile(BloomFilter<CharSequence> bloom, String version, String etag, long capacity, long added,
      long snapshotAtMs) throws IOException {
    ByteArrayOutputStream bloomBytes = new ByteArrayOutputStream();
    bloom.writeTo(bloomBytes);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(bloomBytes.size() + 512);
    DataOutputStream out = new DataOutputStream(buffer);
    out.writeInt(MAGIC_1);
    out.writeUTF(version);
    out.writeUTF(etag);
    out.writeLong(capacity);
    out.writeLong(added);
    out.writeLong(snapshotAtMs);
    out.writeInt(bloomBytes.size());
    bloomBytes.writeTo(out);
    out.flush();
    byte[] content = buffer.toByteArray();
    byte[] digest = FilterState.sha256(content);
    byte[] file = Arrays.copyOf(content, content.length + digest.length);
    System.arraycopy(digest, 0, file, content.length, digest.length);
    return file;
  }

  static BloomFilter<CharSequence> oldLoad(byte[] file) throws IOException {
    byte[] content = Arrays.copyOf(file, file.length - 32);
    byte[] digest = Arrays.copyOfRange(file, file.length - 32, file.length);
    if (!MessageDigest.isEqual(digest, FilterState.sha256(content))) {
      throw new IOException("filter file checksum mismatch");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(content));
    in.readInt();
    in.readUTF();
    in.readUTF();
    in.readLong();
    in.readLong();
    in.readLong();
    int length = in.readInt();
    byte[] bloom = new byte[length];
    in.readFully(bloom);
    return BloomFilter.readFrom(new ByteArrayInputStream(bloom), Funnels.stringFunnel(StandardCharsets.UTF_8));
  }
}
