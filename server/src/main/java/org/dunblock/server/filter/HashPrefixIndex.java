package org.dunblock.server.filter;

import com.google.common.hash.HashCode;
import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.dunblock.server.store.KeySchema;

/**
 * The listed numbers of this instance's filter, by the first {@value #BUCKET_BITS} bits of the SHA-256 of their
 * E.164 form, for the lookup that never names the number ({@code GET /v1/numbers/hash-prefix/{prefix}}). Fed by the
 * same scans and change streams as {@link NumberFilter} (so it is exact while the filter is) and kept in memory:
 * no Redis write, no Redis command to find a prefix's numbers.
 *
 * <p>Holds what a lookup could find listed under a hash: every number with its own index entry, and the 100 numbers
 * of every block with a range entry (their answer carries {@code RANGE}). A prefix override's numbers cannot be
 * enumerated; its prefixes are kept as a set, which the answer gives so a client knows its number is covered.
 *
 * <p>Memory: one {@code long} per number (its digits), in {@code 2^16} sorted arrays replaced on write (copy on
 * write: readers on any event loop never lock; the one writer is the filter follower).
 */
public final class HashPrefixIndex {
  public static final int BUCKET_BITS = 16;
  private static final int BUCKETS = 1 << BUCKET_BITS;
  /** Digits beyond this do not fit a long behind the leading 1; E.164 has at most 15. */
  private static final int MAX_DIGITS = 17;
  private static final long[] EMPTY = new long[0];

  private final AtomicReferenceArray<long[]> buckets = new AtomicReferenceArray<>(BUCKETS);
  private final NavigableSet<String> prefixes = new ConcurrentSkipListSet<>();
  /** The blocks (E.164 less its last two digits) with a range entry: a lookup asks this, not the filter. */
  private final Set<String> blocks = ConcurrentHashMap.newKeySet();

  /** The SHA-256 of an E.164 number's UTF-8 bytes: what clients hash. */
  public static HashCode sha256(String e164) {
    return Hashing.sha256().hashString(e164, StandardCharsets.UTF_8);
  }

  /** Adds an index entry: a number, a range entry (its block's 100 numbers) or a prefix entry. Others are ignored. */
  public synchronized void add(String entry) {
    if (KeySchema.isPrefixEntry(entry)) {
      prefixes.add(entry.substring(KeySchema.PREFIX_ENTRY.length()));
    } else if (entry.startsWith(KeySchema.RANGE_ENTRY)) {
      String block = entry.substring(KeySchema.RANGE_ENTRY.length());
      blocks.add(block);
      for (int i = 0; i < 100; i++) {
        addNumber(block + (i < 10 ? "0" : "") + i);
      }
    } else {
      addNumber(entry);
    }
  }

  private void addNumber(String e164) {
    long code = encode(e164);
    if (code < 0) {
      return;
    }
    int bucket = bucketOf(sha256(e164));
    long[] current = buckets.get(bucket);
    if (current == null) {
      current = EMPTY;
    }
    int at = Arrays.binarySearch(current, code);
    if (at >= 0) {
      return;
    }
    int insert = -at - 1;
    long[] next = new long[current.length + 1];
    System.arraycopy(current, 0, next, 0, insert);
    next[insert] = code;
    System.arraycopy(current, insert, next, insert + 1, current.length - insert);
    buckets.set(bucket, next);
  }

  /** The numbers whose hash starts with the bucket's {@value #BUCKET_BITS} bits, in E.164. */
  public List<String> numbers(int bucket) {
    long[] codes = buckets.get(bucket);
    if (codes == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(codes.length);
    for (long code : codes) {
      out.add(decode(code));
    }
    return out;
  }

  /** The prefixes (E.164 starts, {@code +} included) of every listed prefix override. */
  public List<String> prefixOverrides() {
    return List.copyOf(prefixes);
  }

  /** Whether any block has a range entry. */
  public boolean hasRanges() {
    return !blocks.isEmpty();
  }

  /** Whether {@code block} ({@link KeySchema#rangeBlock}) has a range entry. */
  public boolean hasRange(String block) {
    return blocks.contains(block);
  }

  /** How many numbers the index holds. */
  public long size() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      long[] codes = buckets.get(i);
      n += codes == null ? 0 : codes.length;
    }
    return n;
  }

  /** The first {@value #BUCKET_BITS} bits of a hash. */
  public static int bucketOf(HashCode hash) {
    byte[] b = hash.asBytes();
    return (b[0] & 0xff) << 8 | (b[1] & 0xff);
  }

  /** A number as "1" followed by its digits, or -1 when it is no {@code +digits} string that fits. */
  static long encode(String e164) {
    int n = e164.length();
    if (n < 2 || n - 1 > MAX_DIGITS || e164.charAt(0) != '+') {
      return -1;
    }
    long code = 1;
    for (int i = 1; i < n; i++) {
      char c = e164.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      code = code * 10 + (c - '0');
    }
    return code;
  }

  static String decode(long code) {
    return "+" + Long.toString(code).substring(1);
  }
}
