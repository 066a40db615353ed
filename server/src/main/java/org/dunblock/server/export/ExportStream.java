package org.dunblock.server.export;

import io.lettuce.core.MapScanCursor;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScoredValueScanCursor;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.reputation.Reputation;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;

/**
 * One export on its way to the client: page by page through every shard's index (ZSCAN), the records of a page
 * read pipelined, rows evaluated at the export's time, recorded in the export's snapshot and written; the next
 * page is fetched only once the response has drained, so memory stays one page whatever the size. An incremental
 * export then walks the previous export's snapshot for numbers no longer listed. The SHA-256 of the body (before
 * any compression) is signed at the end and sent as trailers and kept for the signature endpoint.
 */
final class ExportStream {
  /** Numbers per page: ZSCAN COUNT hint, records per pipeline, rows per snapshot script call. */
  static final int PAGE = 500;
  /** The trailers an export ends with (announced in the {@code Trailer} header). */
  static final String SHA256_TRAILER = "X-Dunblock-Export-Sha256";
  static final String SIGNATURE_TRAILER = "X-Dunblock-Export-Signature";

  /** The client went away; nothing to answer. */
  static final class ClientGone extends RuntimeException {
    ClientGone() {
      super("client closed the export", null, false, false);
    }
  }

  private final HttpServerResponse response;
  private final ExportStore store;
  private final ReputationCalculator calculator;
  private final NumberFilter filter;
  private final ExportSigningKey key;
  private final ExportQuery query;
  private final String version;
  private final long nowMs;
  private final String since;
  private final Promise<Map<String, String>> done = Promise.promise();
  private final MessageDigest digest;
  private final ResettableBytes compressed;
  private final GZIPOutputStream gzip;
  private long rows;

  ExportStream(HttpServerResponse response, ExportStore store, ReputationCalculator calculator, NumberFilter filter,
      ExportSigningKey key, ExportQuery query, String version, String since, long nowMs, boolean compress) {
    this.response = response;
    this.store = store;
    this.calculator = calculator;
    this.filter = filter;
    this.key = key;
    this.query = query;
    this.version = version;
    this.nowMs = nowMs;
    this.since = since;
    try {
      this.digest = MessageDigest.getInstance("SHA-256");
      this.compressed = compress ? new ResettableBytes() : null;
      this.gzip = compress ? new GZIPOutputStream(compressed, 64 * 1024) : null;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Streams the whole export; completes with the stored metadata (sha256, signature, rows) once it ended. */
  Future<Map<String, String>> run() {
    response.closeHandler(v -> done.tryFail(new ClientGone()));
    response.exceptionHandler(done::tryFail);
    if (query.format() == ExportQuery.Format.CSV) {
      write(ExportRow.COLUMNS + "\n");
    }
    page(0, ScanCursor.INITIAL);
    return done.future();
  }

  private boolean stopped() {
    return done.future().isComplete();
  }

  private void page(int shard, ScanCursor cursor) {
    if (stopped()) {
      return;
    }
    if (shard == KeySchema.SHARDS) {
      finish();
      return;
    }
    store.scanIndex(shard, cursor, PAGE).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      ScoredValueScanCursor<String> next = ar.result();
      List<String> numbers = new ArrayList<>(next.getValues().size());
      for (ScoredValue<String> value : next.getValues()) {
        numbers.add(value.getValue());
      }
      rows(shard, numbers).onComplete(written -> {
        if (written.failed()) {
          done.tryFail(written.cause());
        } else if (!next.isFinished()) {
          afterDrain(() -> page(shard, next));
        } else if (query.sinceVersion() != null) {
          afterDrain(() -> removals(shard, ScanCursor.INITIAL));
        } else {
          afterDrain(() -> page(shard + 1, ScanCursor.INITIAL));
        }
      });
    });
  }

  /**
   * Evaluates a page of numbers as a lookup does (the number's record, the longest prefix override covering it and
   * its block's range, DESIGN.md rule 5), records them in the snapshot and writes the ones this export lists. Index
   * entries that are not numbers (prefix overrides "P:", ranges "R:") are never rows.
   */
  private Future<Void> rows(int shard, List<String> entries) {
    List<String> numbers = new ArrayList<>(entries.size());
    for (String entry : entries) {
      if (entry.startsWith("+")) {
        numbers.add(entry);
      }
    }
    if (numbers.isEmpty() || stopped()) {
      return Future.succeededFuture();
    }
    // One pipeline per page: the numbers' records, then every prefix-override and range record the filter says
    // may apply (as ReputationService asks it; a false positive costs one read of an empty hash).
    Map<String, Integer> keys = new LinkedHashMap<>();
    for (String number : numbers) {
      keys.putIfAbsent(KeySchema.number(number), keys.size());
    }
    List<List<String>> prefixKeys = new ArrayList<>(numbers.size());
    List<String> rangeKeys = new ArrayList<>(numbers.size());
    for (String number : numbers) {
      List<String> hits = new ArrayList<>();
      for (String entry : filter.prefixHits(number)) {
        String key = KeySchema.number(entry);
        keys.putIfAbsent(key, keys.size());
        hits.add(key);
      }
      prefixKeys.add(hits);
      String block = filter.rangeBlockHit(number);
      String rangeKey = block == null ? null : KeySchema.range(block);
      if (rangeKey != null) {
        keys.putIfAbsent(rangeKey, keys.size());
      }
      rangeKeys.add(rangeKey);
    }
    return store.hashes(new ArrayList<>(keys.keySet())).compose(hashes -> {
      List<ExportRow> candidates = new ArrayList<>(numbers.size());
      List<Long> changedAt = new ArrayList<>(numbers.size());
      List<String> numbersAndHashes = new ArrayList<>(numbers.size() * 2);
      for (int i = 0; i < numbers.size(); i++) {
        Map<String, String> fields = hashes.get(keys.get(KeySchema.number(numbers.get(i))));
        // The longest overridden prefix wins (prefixHits is ordered shortest first).
        Map<String, String> prefix = null;
        for (String key : prefixKeys.get(i)) {
          Map<String, String> record = hashes.get(keys.get(key));
          if (record.containsKey(NumberRecord.OVERRIDE)) {
            prefix = record;
          }
        }
        String rangeKey = rangeKeys.get(i);
        Map<String, String> range = rangeKey == null ? Map.of() : hashes.get(keys.get(rangeKey));
        Reputation reputation = calculator.evaluate(numbers.get(i), fields, prefix, range, nowMs);
        if (!listed(reputation)) {
          continue;
        }
        ExportRow row = ExportRow.of(reputation);
        candidates.add(row);
        changedAt.add(Math.max(Math.max(NumberRecord.integer(fields, NumberRecord.REFERENCE_TIME),
            NumberRecord.integer(fields, NumberRecord.OVERRIDE_AT)),
            prefix == null ? 0 : NumberRecord.integer(prefix, NumberRecord.OVERRIDE_AT)));
        numbersAndHashes.add(row.number());
        numbersAndHashes.add(row.hash());
      }
      if (candidates.isEmpty()) {
        return Future.succeededFuture();
      }
      return store.mark(shard, version, query.sinceVersion(), numbersAndHashes).map(marks -> {
        StringBuilder out = new StringBuilder(candidates.size() * 128);
        for (int i = 0; i < candidates.size(); i++) {
          long mark = (Long) marks.get(i);
          boolean emit;
          if (mark == 0) {
            emit = false; // ZSCAN returned the number twice
          } else if (query.sinceVersion() != null) {
            emit = mark == 2;
          } else if (query.sinceMs() != null) {
            emit = changedAt.get(i) >= query.sinceMs();
          } else {
            emit = true;
          }
          if (emit) {
            ExportRow row = candidates.get(i);
            out.append(query.format() == ExportQuery.Format.CSV ? row.csv() : row.jsonl());
            rows++;
          }
        }
        write(out);
        return null;
      });
    });
  }

  private boolean listed(Reputation r) {
    if (r.verdict().compareTo(query.minVerdict()) < 0) {
      return false;
    }
    if (query.categories().isEmpty()) {
      return true;
    }
    for (String category : r.categories().keySet()) {
      for (var wanted : query.categories()) {
        if (wanted.name().equals(category)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Walks the previous export's snapshot of a shard and writes the numbers this export no longer lists. */
  private void removals(int shard, ScanCursor cursor) {
    if (stopped()) {
      return;
    }
    store.scanSnapshot(shard, query.sinceVersion(), cursor, PAGE).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      MapScanCursor<String, String> next = ar.result();
      List<String> previous = new ArrayList<>(next.getMap().keySet());
      Future<List<Object>> gone = previous.isEmpty()
          ? Future.succeededFuture(List.of()) : store.gone(shard, version, previous);
      gone.onComplete(g -> {
        if (g.failed()) {
          done.tryFail(g.cause());
          return;
        }
        StringBuilder out = new StringBuilder();
        for (Object number : g.result()) {
          out.append(query.format() == ExportQuery.Format.CSV
              ? ExportRow.csvDelete((String) number) : ExportRow.jsonlDelete((String) number));
          rows++;
        }
        write(out);
        if (!next.isFinished()) {
          afterDrain(() -> removals(shard, next));
        } else {
          store.dropGone(shard, version).onComplete(d -> {
            if (d.failed()) {
              done.tryFail(d.cause());
            } else {
              afterDrain(() -> page(shard + 1, ScanCursor.INITIAL));
            }
          });
        }
      });
    });
  }

  private void finish() {
    String sha256;
    try {
      if (gzip != null) {
        gzip.finish();
        flushCompressed();
      }
    } catch (IOException e) {
      done.tryFail(e);
      return;
    }
    sha256 = HexFormat.of().formatHex(digest.digest());
    String signature = Base64.getEncoder().encodeToString(
        key.sign(ExportSigningKey.message(version, query.filters(), since, sha256)));
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("status", "complete");
    meta.put("rows", Long.toString(rows));
    meta.put("sha256", sha256);
    meta.put("signature", signature);
    meta.put("keyId", key.keyId());
    // Stored before the body ends, so a client that has read it all can fetch the signature at once.
    store.putMeta(version, meta).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        return;
      }
      if (stopped()) {
        return;
      }
      response.putTrailer(SHA256_TRAILER, sha256);
      response.putTrailer(SIGNATURE_TRAILER, signature);
      response.end();
      done.tryComplete(meta);
    });
  }

  private void write(CharSequence text) {
    if (text.length() == 0 || stopped()) {
      return;
    }
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    digest.update(bytes);
    if (gzip == null) {
      response.write(Buffer.buffer(bytes));
      return;
    }
    try {
      gzip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    flushCompressed();
  }

  private void flushCompressed() {
    if (compressed.size() > 0) {
      response.write(Buffer.buffer(compressed.toByteArray()));
      compressed.reset();
    }
  }

  /** Back-pressure: go on at once while the response can take more, else when it has drained. */
  private void afterDrain(Runnable next) {
    if (stopped()) {
      return;
    }
    if (response.writeQueueFull()) {
      response.drainHandler(v -> {
        response.drainHandler(null);
        next.run();
      });
    } else {
      next.run();
    }
  }

  /** The deflater's output between two writes to the response. */
  private static final class ResettableBytes extends ByteArrayOutputStream {
    ResettableBytes() {
      super(64 * 1024);
    }
  }
}
