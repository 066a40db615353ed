package org.dunblock.client.internal;

import com.google.common.hash.BloomFilter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;

/**
 * The local filter and the version it holds every listed number up to. The Bloom filter and the set of removed
 * entries belong to one snapshot and are shared by the states that follow it (Guava's filter and the concurrent set
 * are thread-safe); everything else is immutable, so a new state is published per change.
 *
 * <p>A Bloom filter cannot forget, so removals (an ALLOW override, an allowed appeal) are kept beside it, as exact
 * entries: a probe key counts as a hit only when the filter holds it and it is not removed. A new snapshot leaves the
 * removed entries out itself and starts with an empty set.
 */
public final class FilterState {
  final BloomFilter<CharSequence> bloom;
  final String version;
  final String etag;
  final long capacity;
  /** Numbers in the snapshot itself. */
  final long numbers;
  final long added;
  final long snapshotAtMs;
  final int generation;
  final int format;
  final FilterProbes probes;
  final Set<String> removed;
  /** Names the snapshot file; the journal belongs to the file with its id. */
  final long fileId;

  FilterState(BloomFilter<CharSequence> bloom, String version, String etag, long capacity, long numbers, long added,
      long snapshotAtMs, int generation, int format, FilterProbes probes, Set<String> removed, long fileId) {
    this.bloom = bloom;
    this.version = version;
    this.etag = etag;
    this.capacity = capacity;
    this.numbers = numbers;
    this.added = added;
    this.snapshotAtMs = snapshotAtMs;
    this.generation = generation;
    this.format = format;
    this.probes = probes;
    this.removed = removed;
    this.fileId = fileId;
  }

  FilterState advance(String newVersion, long moreAdded) {
    return new FilterState(bloom, newVersion, etag, capacity, numbers, added + moreAdded, snapshotAtMs, generation,
        format, probes, removed, fileId);
  }

  FilterState revalidated(long nowMs) {
    return new FilterState(bloom, version, etag, capacity, numbers, added, nowMs, generation, format, probes, removed,
        fileId);
  }

  FilterState withFileId(long id) {
    return new FilterState(bloom, version, etag, capacity, numbers, added, snapshotAtMs, generation, format, probes,
        removed, id);
  }

  /** True when a probe of the number hits: it may be listed and the server must be asked. */
  boolean mightContain(String e164) {
    return probes.any(e164, key -> bloom.mightContain(key) && !removed.contains(key));
  }

  static byte[] sha256(byte[] bytes) {
    return sha256().digest(bytes);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
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
