package org.dunblock.server.filter;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Enumeration;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.dunblock.server.store.KeySchema;

/**
 * A copy of a built filter kept in Redis with the change-stream positions it covers, so that a starting instance
 * loads it in about a second and replays the streams from those positions instead of scanning every shard index
 * (about 12 s for a million numbers on a busy two-core machine; longer as the list grows).
 *
 * <p>Written after every full build, whole or not at all: the chunks go to a temporary hash that is renamed over
 * the previous copy. A copy is used only when it is provably a superset of Redis up to its positions: same filter
 * size and false-positive rate as configured, the SHA-256 of its bytes matches, and no stream was trimmed past its
 * position (else the replay would miss numbers). Anything else is ignored and the filter is built from the indexes,
 * as without a copy. The copy expires a day after it was written, so an instance that was down longer rebuilds.
 *
 * <p>All Redis work here is blocking (chunked GETs and SETs of about 1 MB); callers run it on a worker thread.
 */
public final class FilterCheckpoint {
  /** Tools that write records straight into Redis, past the change streams, delete it (load-tests Preload). */
  public static final String KEY = KeySchema.FILTER_CHECKPOINT;
  static final int FORMAT = 1;
  static final int CHUNK_BYTES = 1 << 20;
  static final long TTL_SECONDS = 24 * 3600;

  /** A loaded copy: the filter, whether it holds prefix entries, and the stream positions it covers. */
  public record Restored(BloomFilter<CharSequence> filter, boolean prefixes, String[] offsets) {
  }

  private final Supplier<RedisClusterCommands<String, String>> redis;
  private final long expectedNumbers;
  private final double fpp;

  public FilterCheckpoint(Supplier<RedisClusterCommands<String, String>> redis, long expectedNumbers, double fpp) {
    this.redis = redis;
    this.expectedNumbers = expectedNumbers;
    this.fpp = fpp;
  }

  /** Writes a copy of {@code filter}, which must hold every listed number up to {@code offsets}. Blocking. */
  public void save(BloomFilter<CharSequence> filter, boolean prefixes, String[] offsets) throws IOException {
    RedisClusterCommands<String, String> commands = redis.get();
    String temporary = KEY + ":" + UUID.randomUUID();
    Hasher sha = Hashing.sha256().newHasher();
    int[] chunks = {0};
    // Streams the filter out in chunks: never a second copy of its bytes in memory.
    try (OutputStream out = new OutputStream() {
      private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(CHUNK_BYTES);

      @Override
      public void write(int b) {
        buffer.write(b);
        flushIfFull();
      }

      @Override
      public void write(byte[] b, int off, int len) {
        buffer.write(b, off, len);
        flushIfFull();
      }

      private void flushIfFull() {
        if (buffer.size() >= CHUNK_BYTES) {
          flush();
        }
      }

      @Override
      public void flush() {
        if (buffer.size() == 0) {
          return;
        }
        byte[] bytes = buffer.toByteArray();
        buffer.reset();
        sha.putBytes(bytes);
        commands.hset(temporary, "chunk" + chunks[0]++, Base64.getEncoder().encodeToString(bytes));
        commands.expire(temporary, TTL_SECONDS);
      }
    }) {
      filter.writeTo(out);
      out.flush(); // the last, partial chunk (close() of an OutputStream does not flush)
    }
    Map<String, String> meta = new HashMap<>();
    meta.put("format", Integer.toString(FORMAT));
    meta.put("expectedNumbers", Long.toString(expectedNumbers));
    meta.put("fpp", Double.toString(fpp));
    meta.put("prefixes", Boolean.toString(prefixes));
    meta.put("offsets", String.join(",", offsets));
    meta.put("chunks", Integer.toString(chunks[0]));
    meta.put("sha256", sha.hash().toString());
    commands.hset(temporary, meta);
    commands.expire(temporary, TTL_SECONDS);
    commands.rename(temporary, KEY);
  }

  /**
   * The copy in Redis if there is a usable one, else null (none, another size, corrupt). {@code trimmedPast} tells
   * whether a shard's stream was trimmed past a position (then the copy is stale). Blocking.
   */
  public Restored load(TrimCheck trimmedPast) throws Exception {
    RedisClusterCommands<String, String> commands = redis.get();
    List<String> meta = commands.hmget(KEY, "format", "expectedNumbers", "fpp", "prefixes", "offsets", "chunks",
        "sha256").stream().map(v -> v.getValueOrElse(null)).toList();
    if (meta.contains(null) || !Integer.toString(FORMAT).equals(meta.get(0))
        || !Long.toString(expectedNumbers).equals(meta.get(1)) || !Double.toString(fpp).equals(meta.get(2))) {
      return null;
    }
    String[] offsets = meta.get(4).split(",", -1);
    int chunks = Integer.parseInt(meta.get(5));
    if (offsets.length != KeySchema.SHARDS || chunks < 1 || chunks > 4096) {
      return null;
    }
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      if (trimmedPast.call(shard, offsets[shard])) {
        return null;
      }
    }
    // Chunks are fetched as the filter reads on, so at most one is held besides the filter; the checksum over all
    // of them decides afterwards whether the filter read is kept.
    Hasher sha = Hashing.sha256().newHasher();
    boolean[] missing = {false};
    InputStream in = new SequenceInputStream(new Enumeration<InputStream>() {
      private int next;

      @Override
      public boolean hasMoreElements() {
        return next < chunks;
      }

      @Override
      public InputStream nextElement() {
        String chunk = commands.hget(KEY, "chunk" + next++);
        byte[] bytes;
        try {
          bytes = chunk == null ? new byte[0] : Base64.getDecoder().decode(chunk);
        } catch (IllegalArgumentException e) {
          bytes = new byte[0];
        }
        missing[0] |= bytes.length == 0;
        sha.putBytes(bytes);
        return new ByteArrayInputStream(bytes);
      }
    });
    BloomFilter<CharSequence> filter;
    try (in) {
      filter = BloomFilter.readFrom(in, Funnels.stringFunnel(StandardCharsets.UTF_8));
      // Drain what readFrom left, so the checksum covers every stored byte.
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException | RuntimeException e) {
      return null;
    }
    if (missing[0] || !sha.hash().toString().equals(meta.get(6))) {
      return null;
    }
    return new Restored(filter, Boolean.parseBoolean(meta.get(3)), offsets);
  }

  /** Whether a shard's change stream was trimmed past a position (blocking). */
  @FunctionalInterface
  public interface TrimCheck {
    boolean call(int shard, String offset) throws Exception;
  }
}
