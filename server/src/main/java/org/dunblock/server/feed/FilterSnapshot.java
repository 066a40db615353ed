package org.dunblock.server.feed;

import io.vertx.core.buffer.Buffer;
import java.time.Instant;

/**
 * One serialized client filter: Guava {@code BloomFilter<CharSequence>} over E.164 strings with
 * {@code Funnels.stringFunnel(UTF_8)}, written by {@code BloomFilter.writeTo}. Immutable; served to every app that
 * asks until the next one is built.
 *
 * @param version the change-stream position the filter holds every listed number up to
 * @param body the {@code writeTo} bytes
 * @param sha256 lowercase hex SHA-256 of {@code body}
 * @param numbers the numbers put in
 * @param capacity the expected insertions the filter was sized for
 * @param fpp the false-positive probability at {@code capacity}
 * @param createdAt when the build started (the version was read then)
 * @param builtAtNanos {@link System#nanoTime()} at that moment, for ageing it out
 * @param format the body's format version ({@link FilterFeed#FORMAT})
 * @param probes the probe rules apps apply to this filter ({@link FilterFeed#PROBES})
 */
public record FilterSnapshot(
    FilterVersion version,
    Buffer body,
    String sha256,
    long numbers,
    long capacity,
    double fpp,
    Instant createdAt,
    long builtAtNanos,
    int format,
    String probes) {

  /** A strong ETag naming exactly these bytes. */
  public String etag() {
    return "\"" + sha256.substring(0, 32) + "\"";
  }
}
