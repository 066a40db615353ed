package org.dunblock.client.internal;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The local filter and the version it holds every listed number up to. The Bloom filter is shared and only grows
 * (Guava's is thread-safe); everything else is immutable, so a new state is published per change.
 */
public final class FilterState {
  private static final int MAGIC = 0x44424631; // "DBF1"

  final BloomFilter<CharSequence> bloom;
  final String version;
  final String etag;
  final long capacity;
  final long added;
  final long snapshotAtMs;
  final int generation;

  FilterState(BloomFilter<CharSequence> bloom, String version, String etag, long capacity, long added,
      long snapshotAtMs, int generation) {
    this.bloom = bloom;
    this.version = version;
    this.etag = etag;
    this.capacity = capacity;
    this.added = added;
    this.snapshotAtMs = snapshotAtMs;
    this.generation = generation;
  }

  FilterState advance(String newVersion, long moreAdded) {
    return new FilterState(bloom, newVersion, etag, capacity, added + moreAdded, snapshotAtMs, generation);
  }

  FilterState revalidated(long nowMs) {
    return new FilterState(bloom, version, etag, capacity, added, nowMs, generation);
  }

  static BloomFilter<CharSequence> readBloom(byte[] bytes) throws IOException {
    try {
      return BloomFilter.readFrom(new ByteArrayInputStream(bytes), Funnels.stringFunnel(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IOException("not a Bloom filter", e);
    }
  }

  /** The file form: header, Guava bytes, then a SHA-256 of all that, so a torn or tampered file is refused. */
  byte[] toFile() throws IOException {
    ByteArrayOutputStream bloomBytes = new ByteArrayOutputStream();
    bloom.writeTo(bloomBytes);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(bloomBytes.size() + 512);
    DataOutputStream out = new DataOutputStream(buffer);
    out.writeInt(MAGIC);
    out.writeUTF(version);
    out.writeUTF(etag == null ? "" : etag);
    out.writeLong(capacity);
    out.writeLong(added);
    out.writeLong(snapshotAtMs);
    out.writeInt(bloomBytes.size());
    bloomBytes.writeTo(out);
    out.flush();
    byte[] content = buffer.toByteArray();
    byte[] digest = sha256(content);
    byte[] file = Arrays.copyOf(content, content.length + digest.length);
    System.arraycopy(digest, 0, file, content.length, digest.length);
    return file;
  }

  static FilterState fromFile(byte[] file) throws IOException {
    if (file.length < 64) {
      throw new IOException("filter file too short");
    }
    byte[] content = Arrays.copyOf(file, file.length - 32);
    byte[] digest = Arrays.copyOfRange(file, file.length - 32, file.length);
    if (!MessageDigest.isEqual(digest, sha256(content))) {
      throw new IOException("filter file checksum mismatch");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(content));
    if (in.readInt() != MAGIC) {
      throw new IOException("not a Dunblock filter file");
    }
    String version = in.readUTF();
    String etag = in.readUTF();
    long capacity = in.readLong();
    long added = in.readLong();
    long snapshotAt = in.readLong();
    int length = in.readInt();
    if (length < 0 || length != in.available()) {
      throw new IOException("filter file length mismatch");
    }
    byte[] bloom = new byte[length];
    in.readFully(bloom);
    return new FilterState(readBloom(bloom), version, etag.isEmpty() ? null : etag, capacity, added, snapshotAt, 0);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      s.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return s.toString();
  }
}
