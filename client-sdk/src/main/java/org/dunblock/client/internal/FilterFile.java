package org.dunblock.client.internal;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The filter file ({@code <cacheDir>/filter.dat}), read and written as streams so the filter is in memory once (the
 * Bloom filter's own bit array) and never as byte[] copies of the whole thing:
 *
 * <pre>
 * int "DBF2" | long file id | UTF version | UTF etag ("" = none) | long capacity | long numbers | long added
 * | long snapshot time ms | int format | UTF probes | int removed count | UTF removed entry...
 * | Guava BloomFilter.writeTo bytes (to 32 bytes before the end) | SHA-256 of everything before
 * </pre>
 *
 * Files of the SDK before issue 16 ("DBF1": version, etag, capacity, added, snapshot time, int length, Guava bytes,
 * SHA-256) are still read, as format 1 with its default probes.
 */
final class FilterFile {
  static final int MAGIC_1 = 0x44424631; // "DBF1"
  static final int MAGIC_2 = 0x44424632; // "DBF2"
  private static final int BUFFER = 64 * 1024;
  private static final int DIGEST = 32;

  private FilterFile() {
  }

  /** The header of a file; a snapshot download writes it before the body it streams. */
  static final class Header {
    final long fileId;
    final String version;
    final String etag;
    final long capacity;
    final long numbers;
    final long added;
    final long snapshotAtMs;
    final int format;
    final String probes;
    final Set<String> removed;

    Header(long fileId, String version, String etag, long capacity, long numbers, long added, long snapshotAtMs,
        int format, String probes, Set<String> removed) {
      this.fileId = fileId;
      this.version = version;
      this.etag = etag;
      this.capacity = capacity;
      this.numbers = numbers;
      this.added = added;
      this.snapshotAtMs = snapshotAtMs;
      this.format = format;
      this.probes = probes;
      this.removed = removed;
    }

    static Header of(FilterState s, long fileId) {
      return new Header(fileId, s.version, s.etag, s.capacity, s.numbers, s.added, s.snapshotAtMs, s.format,
          s.probes.toString(), s.removed);
    }

    void writeTo(DataOutputStream out) throws IOException {
      out.writeInt(MAGIC_2);
      out.writeLong(fileId);
      out.writeUTF(version);
      out.writeUTF(etag == null ? "" : etag);
      out.writeLong(capacity);
      out.writeLong(numbers);
      out.writeLong(added);
      out.writeLong(snapshotAtMs);
      out.writeInt(format);
      out.writeUTF(probes);
      // A copy: the set may change while we write (it does not, under FilterSync's lock, but be exact about count).
      String[] entries = removed.toArray(new String[0]);
      out.writeInt(entries.length);
      for (String e : entries) {
        out.writeUTF(e);
      }
    }
  }

  /** Writes the state to {@code target} (temp file, fsync, atomic rename), streaming the Bloom filter's bits. */
  static void write(File target, FilterState s, long fileId) throws IOException {
    File tmp = temp(target, ".tmp");
    try (FileOutputStream file = new FileOutputStream(tmp)) {
      MessageDigest digest = FilterState.sha256();
      BufferedOutputStream buffered = new BufferedOutputStream(file, BUFFER);
      DigestOutputStream hashed = new DigestOutputStream(buffered, digest);
      DataOutputStream out = new DataOutputStream(hashed);
      Header.of(s, fileId).writeTo(out);
      s.bloom.writeTo(out);
      out.flush();
      buffered.write(digest.digest());
      buffered.flush();
      file.getFD().sync();
    } catch (IOException | RuntimeException e) {
      tmp.delete();
      throw e;
    }
    moveInto(tmp, target);
  }

  /**
   * Streams a downloaded snapshot body into {@code tmp} behind {@code header}, with the file's trailer, and returns
   * the SHA-256 of the body alone (to compare with X-Filter-SHA256). At most {@link #BUFFER} bytes are in memory.
   */
  static byte[] writeDownload(File tmp, Header header, InputStream body) throws IOException {
    MessageDigest bodyDigest = FilterState.sha256();
    try (FileOutputStream file = new FileOutputStream(tmp)) {
      MessageDigest fileDigest = FilterState.sha256();
      BufferedOutputStream buffered = new BufferedOutputStream(file, BUFFER);
      DigestOutputStream hashed = new DigestOutputStream(buffered, fileDigest);
      DataOutputStream out = new DataOutputStream(hashed);
      header.writeTo(out);
      byte[] chunk = new byte[BUFFER];
      for (int n; (n = body.read(chunk)) >= 0; ) {
        bodyDigest.update(chunk, 0, n);
        out.write(chunk, 0, n);
      }
      out.flush();
      buffered.write(fileDigest.digest());
      buffered.flush();
      file.getFD().sync();
    } catch (IOException | RuntimeException e) {
      tmp.delete();
      throw e;
    }
    return bodyDigest.digest();
  }

  /**
   * Reads a file into a state, checking its SHA-256 trailer and that the Guava filter's own length matches the
   * file's (so a damaged length never makes us allocate a huge array). Throws IOException for any damage.
   */
  static FilterState read(File source, int generation) throws IOException {
    long length = source.length();
    if (length < 64) {
      throw new IOException("filter file too short");
    }
    MessageDigest digest = FilterState.sha256();
    try (InputStream raw = new BufferedInputStream(new FileInputStream(source), BUFFER)) {
      Counting counted = new Counting(raw);
      DigestInputStream hashed = new DigestInputStream(counted, digest);
      DataInputStream in = new DataInputStream(hashed);
      int magic = in.readInt();
      FilterState s;
      if (magic == MAGIC_2) {
        long fileId = in.readLong();
        String version = in.readUTF();
        String etag = in.readUTF();
        long capacity = in.readLong();
        long numbers = in.readLong();
        long added = in.readLong();
        long snapshotAt = in.readLong();
        int format = in.readInt();
        String probesText = in.readUTF();
        int removedCount = in.readInt();
        if (removedCount < 0 || removedCount > length) {
          throw new IOException("filter file removed count damaged");
        }
        Set<String> removed = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < removedCount; i++) {
          removed.add(in.readUTF());
        }
        if (format != FilterProbes.FORMAT) {
          throw new IOException("filter format " + format + " is not one this SDK reads");
        }
        FilterProbes probes;
        try {
          probes = FilterProbes.parse(probesText);
        } catch (IllegalArgumentException e) {
          throw new IOException("filter probes not understood: " + e.getMessage());
        }
        BloomFilter<CharSequence> bloom = readBloom(hashed, length - counted.count - DIGEST);
        s = new FilterState(bloom, version, etag.isEmpty() ? null : etag, capacity, numbers, added, snapshotAt,
            generation, format, probes, removed, fileId);
      } else if (magic == MAGIC_1) {
        String version = in.readUTF();
        String etag = in.readUTF();
        long capacity = in.readLong();
        long added = in.readLong();
        long snapshotAt = in.readLong();
        int bloomLength = in.readInt();
        if (bloomLength != length - counted.count - DIGEST) {
          throw new IOException("filter file length mismatch");
        }
        BloomFilter<CharSequence> bloom = readBloom(hashed, bloomLength);
        s = new FilterState(bloom, version, etag.isEmpty() ? null : etag, capacity, 0, added, snapshotAt, generation,
            FilterProbes.FORMAT, FilterProbes.parse(FilterProbes.FORMAT_1_DEFAULT), ConcurrentHashMap.newKeySet(), 0);
      } else {
        throw new IOException("not a Dunblock filter file");
      }
      hashed.on(false);
      byte[] trailer = new byte[DIGEST];
      new DataInputStream(counted).readFully(trailer);
      if (counted.read() >= 0) {
        throw new IOException("filter file has trailing bytes");
      }
      if (!MessageDigest.isEqual(trailer, digest.digest())) {
        throw new IOException("filter file checksum mismatch");
      }
      return s;
    } catch (EOFException e) {
      throw new IOException("filter file truncated", e);
    }
  }

  /** Guava's bytes: strategy byte, hash count byte, int word count, the words; checked against the bytes there are. */
  private static BloomFilter<CharSequence> readBloom(InputStream in, long available) throws IOException {
    byte[] preamble = new byte[6];
    new DataInputStream(in).readFully(preamble);
    long words = ((preamble[2] & 0xFFL) << 24) | ((preamble[3] & 0xFF) << 16) | ((preamble[4] & 0xFF) << 8)
        | (preamble[5] & 0xFF);
    if (words <= 0 || 6 + words * 8 != available) {
      throw new IOException("filter length does not match the file (" + words + " words, " + available + " bytes)");
    }
    try {
      return BloomFilter.readFrom(new SequenceInputStream(new ByteArrayInputStream(preamble), in),
          Funnels.stringFunnel(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IOException("not a Bloom filter", e);
    }
  }

  static File temp(File target, String suffix) throws IOException {
    File parent = target.getParentFile();
    // Android may empty a cache dir while the app runs: recreate it rather than lose the write.
    if (parent != null && !parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
      throw new IOException("cannot create " + parent);
    }
    return new File(parent, target.getName() + suffix);
  }

  static void moveInto(File tmp, File target) throws IOException {
    try {
      Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Counts the bytes read through it (header length), so the filter's length can be checked against the file's. */
  private static final class Counting extends FilterInputStream {
    long count;

    Counting(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }

  /** For callers that only need bits (tests): writes the filter's bytes to {@code out}. */
  static void writeBits(FilterState s, OutputStream out) throws IOException {
    s.bloom.writeTo(out);
  }
}
