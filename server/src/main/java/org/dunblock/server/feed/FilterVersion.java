package org.dunblock.server.feed;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.util.Arrays;
import java.util.Base64;
import org.dunblock.server.store.KeySchema;

/**
 * A filter version: for every shard, the id of the last change stream entry a filter holds. Clients treat it as an
 * opaque string; it is {@code "1."} followed by unpadded base64url of, per shard in order, the entry's milliseconds
 * and sequence as unsigned LEB128 varints (see client-sdk/README.md). "0-0" means "before the first entry".
 */
public final class FilterVersion {
  static final String PREFIX = "1.";
  private static final int MAX_LENGTH = 1024;

  private final long[] ms;
  private final long[] seq;

  private FilterVersion(long[] ms, long[] seq) {
    this.ms = ms;
    this.seq = seq;
  }

  /** A version from Redis stream ids, one per shard. */
  public static FilterVersion of(String[] ids) {
    if (ids.length != KeySchema.SHARDS) {
      throw new IllegalArgumentException("need one id per shard");
    }
    long[] ms = new long[ids.length];
    long[] seq = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      int dash = ids[i].indexOf('-');
      ms[i] = Long.parseUnsignedLong(ids[i].substring(0, dash));
      seq[i] = Long.parseUnsignedLong(ids[i].substring(dash + 1));
    }
    return new FilterVersion(ms, seq);
  }

  /** Parses a version a client sent; throws IllegalArgumentException when it is not one of ours. */
  public static FilterVersion parse(String text) {
    if (text == null || text.length() > MAX_LENGTH || !text.startsWith(PREFIX)) {
      throw new IllegalArgumentException("not a filter version");
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(Base64.getUrlDecoder().decode(text.substring(PREFIX.length())));
      long[] ms = new long[KeySchema.SHARDS];
      long[] seq = new long[KeySchema.SHARDS];
      for (int i = 0; i < KeySchema.SHARDS; i++) {
        ms[i] = readVarint(in);
        seq[i] = readVarint(in);
      }
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("trailing bytes");
      }
      return new FilterVersion(ms, seq);
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated version", e);
    }
  }

  /** The stream id of a shard, as Redis writes it. */
  public String id(int shard) {
    return Long.toUnsignedString(ms[shard]) + "-" + Long.toUnsignedString(seq[shard]);
  }

  public String[] ids() {
    String[] ids = new String[ms.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = id(i);
    }
    return ids;
  }

  /** The same version with one shard moved to a later entry. */
  public FilterVersion with(int shard, String id) {
    String[] ids = ids();
    ids[shard] = id;
    return of(ids);
  }

  @Override
  public String toString() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(ms.length * 8);
    for (int i = 0; i < ms.length; i++) {
      writeVarint(out, ms[i]);
      writeVarint(out, seq[i]);
    }
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out.toByteArray());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FilterVersion v && Arrays.equals(ms, v.ms) && Arrays.equals(seq, v.seq);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ms) + Arrays.hashCode(seq);
  }

  private static void writeVarint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static long readVarint(ByteBuffer in) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.get();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IllegalArgumentException("varint too long");
  }
}
