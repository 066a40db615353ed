package org.dunblock.client;

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.RequestBody;
import org.dunblock.client.internal.AtomicFiles;
import org.dunblock.client.internal.Backoff;
import org.dunblock.client.internal.FilterState;
import org.dunblock.client.internal.FilterSync;
import org.dunblock.client.internal.HashPrefix;
import org.dunblock.client.internal.Http;
import org.dunblock.client.internal.NumberNormalizer;
import org.dunblock.client.internal.ReportOutbox;
import org.dunblock.client.internal.ResponseCache;
import org.dunblock.client.internal.Text;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The Dunblock client for call-interception apps. Thread-safe; make one per data dir and share it.
 *
 * <pre>{@code
 * DunblockClient client = DunblockClient.create(DunblockClientOptions.builder()
 *     .baseUrl("https://api.dunblock.example/")
 *     .dataDir(new File(context.getNoBackupFilesDir(), "dunblock"))   // token, offline reports
 *     .cacheDir(new File(context.getCacheDir(), "dunblock"))          // filter
 *     .build());
 * ScreenResult r = client.screen(incomingNumber);   // within 1.5 s, never throws for network trouble
 * if (r.verdict() == Verdict.BLOCK) { reject(); }
 * }</pre>
 *
 * <p>Every blocking method has a {@code ...Async} twin returning a {@link CompletableFuture}. Blocking methods
 * must not run on Android's main thread.
 */
public final class DunblockClient implements Closeable {
  private static final Logger LOG = Logger.getLogger(DunblockClient.class.getName());
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final Duration PERSIST_INTERVAL = Duration.ofSeconds(30);

  private final DunblockClientOptions options;
  private final Http http;
  private final NumberNormalizer normalizer = new NumberNormalizer();
  private final FilterSync filter;
  private final ReportOutbox outbox;
  private final ResponseCache<Reputation> cache;
  /** Hash-prefix answers (private lookups), by prefix. */
  private final ResponseCache<HashPrefix.Answer> prefixCache;
  private final Backoff backoff;
  private final File tokenFile;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService deadlineTimer;
  private final ReentrantLock deliveryLock = new ReentrantLock();
  private final Object tokenLock = new Object();
  /** System.nanoTime() when each report queued by this process was made (see {@link #clientTime}). */
  private final Map<String, Long> madeAtNanos = new java.util.concurrent.ConcurrentHashMap<>();
  private volatile String token;
  private volatile ScheduledFuture<?> flushTask;
  private int flushFailures;
  private int syncFailures;
  private volatile boolean closed;

  private DunblockClient(DunblockClientOptions options) {
    this.options = options;
    File dir = options.dataDir();
    File cacheDir = options.cacheDir();
    for (File d : new File[] {dir, cacheDir}) {
      if (!d.isDirectory() && !d.mkdirs()) {
        throw new UncheckedIOException(new IOException("cannot create " + d));
      }
    }
    if (dir.equals(cacheDir)) {
      LOG.warning("Only a cache dir was given: the reporter token and queued reports live in " + dir
          + ", which Android may empty. Set dataDir (deprecated layout).");
    }
    try {
      lockChannel = new RandomAccessFile(new File(dir, ".lock"), "rw").getChannel();
      FileLock acquired;
      try {
        acquired = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        acquired = null;
      }
      if (acquired == null) {
        lockChannel.close();
        throw new IllegalStateException("another DunblockClient uses the data dir " + dir);
      }
      lock = acquired;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.http = new Http(options);
    this.backoff = new Backoff(options.retryBaseDelay(), options.retryMaxDelay());
    this.filter = new FilterSync(http, cacheDir, options.snapshotMaxAge(), backoff);
    this.filter.load();
    this.outbox = new ReportOutbox(dir, this::numberKey);
    this.cache = new ResponseCache<>(options.cacheEntries());
    this.prefixCache = new ResponseCache<>(options.cacheEntries());
    this.tokenFile = new File(dir, "reporter-token");
    this.token = readToken();
    this.executor = Executors.newCachedThreadPool(daemon("dunblock-client"));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("dunblock-background"));
    this.deadlineTimer = Executors.newSingleThreadScheduledExecutor(daemon("dunblock-deadline"));
    if (options.backgroundSync()) {
      scheduler.execute(this::backgroundSync);
      scheduler.scheduleWithFixedDelay(filter::persistIfDirty, PERSIST_INTERVAL.toMillis(),
          PERSIST_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
      if (outbox.size() > 0) {
        scheduleFlush(Duration.ZERO);
      }
    }
  }

  /** A client; loads the filter, token and queued reports kept in the data and cache dirs. */
  public static DunblockClient create(DunblockClientOptions options) {
    return new DunblockClient(options);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public DunblockClientOptions options() {
    return options;
  }

  // ---- screening -----------------------------------------------------------------------------------------------

  /**
   * The call-screening answer, within {@link DunblockClientOptions#screenDeadline()}. A number the local filter
   * does not hold is answered without any network call; a filter hit is looked up on the server (or in the cache);
   * when the server is slow, unreachable or failing, the answer is ALLOW with {@link ScreenResult#failedOpen()}.
   * Never throws for network trouble.
   */
  public ScreenResult screen(String number) {
    return screen(number, null);
  }

  /**
   * {@link #screen(String)} reading national numbers in {@code region}. Completes within the deadline whatever the
   * network does (a DNS lookup that never returns included): the waiting is bounded by a timer, not by OkHttp.
   * When {@link DunblockClientOptions#mustNotBlock()} says the calling thread must not block, no network I/O is
   * waited for: the answer comes from the local filter or the cache, else it is ALLOW with
   * {@link ScreenResult#failedOpen()} (code {@code would_block}) while a background lookup fills the cache.
   */
  public ScreenResult screen(String number, String region) {
    long start = System.nanoTime();
    Screening s = new Screening(number, region(region));
    if (s.answer != null) {
      return s.answer;
    }
    if (options.mustNotBlock() != null && options.mustNotBlock().getAsBoolean()) {
      screenAsync(s, start); // fills the cache for the next ring
      return s.failOpen(new TransportException("screen() on a thread that must not block: answered locally", 0,
          "would_block", null, null, null));
    }
    return screenAsync(s, start).join();
  }

  /** The local part of screening: an answer without the network, or what to ask the server. */
  private final class Screening {
    final String region;
    final String e164;
    final String shown;
    final String raw;
    final ScreenResult answer;

    Screening(String number, String region) {
      this.region = region;
      this.raw = number;
      if (Text.isBlank(number)) {
        e164 = null;
        shown = number;
        answer = new ScreenResult(number, Verdict.ALLOW, ScreenResult.Source.NO_NUMBER, false, null, null);
        return;
      }
      e164 = normalizer.normalize(number, region);
      shown = e164 != null ? e164 : number;
      if (e164 == null && options.privateLookups()) {
        // It cannot be hashed as the server hashes, and its own lookup would name it; the server would most likely
        // call it invalid_number, which is ALLOW too (client-sdk/README.md, "Private lookups").
        answer = new ScreenResult(number, Verdict.ALLOW, ScreenResult.Source.LOCAL_FILTER, false, null,
            new InvalidNumberException("The SDK cannot normalise this number; with private lookups it is not sent",
                0, "invalid_number", null, null, null));
        return;
      }
      // A number we cannot normalise is not trusted to be absent: the server decides.
      if (e164 != null && !filter.mightContain(e164)) {
        answer = new ScreenResult(e164, Verdict.ALLOW, ScreenResult.Source.LOCAL_FILTER, false, null, null);
        return;
      }
      Reputation cached = cache.get(cacheKey(e164, number, region));
      answer = cached == null ? null
          : new ScreenResult(shown, cached.verdict(), ScreenResult.Source.CACHE, true, cached, null);
    }

    ScreenResult failOpen(DunblockException e) {
      return new ScreenResult(shown, Verdict.ALLOW, ScreenResult.Source.FAIL_OPEN, true, null, e);
    }

    ScreenResult remote(Duration remaining) {
      try {
        if (remaining.isNegative() || remaining.isZero()) {
          throw new TransportException("screen deadline passed before the lookup", 0, "timeout", null, null, null);
        }
        Reputation rep = options.privateLookups() && e164 != null ? privateLookup(e164, region, remaining)
            : lookupOnce(e164 != null ? e164 : raw, region, remaining);
        if (rep.degraded()) {
          return new ScreenResult(rep.number(), Verdict.ALLOW, ScreenResult.Source.FAIL_OPEN, true, rep, null);
        }
        return new ScreenResult(rep.number(), rep.verdict(), ScreenResult.Source.SERVER, true, rep, null);
      } catch (InvalidNumberException e) {
        // Not a number anyone can report: nothing to block.
        return new ScreenResult(shown, Verdict.ALLOW, ScreenResult.Source.SERVER, false, null, e);
      } catch (DunblockException e) {
        return failOpen(e);
      } catch (RuntimeException e) {
        return failOpen(new TransportException("unexpected failure: " + e, 0, "internal", null, null, e));
      }
    }
  }

  public CompletableFuture<ScreenResult> screenAsync(String number) {
    return screenAsync(number, null);
  }

  /**
   * {@link #screen(String, String)} without blocking the caller. The future completes by the screen deadline
   * whatever the network does: a timer completes it with the fail-open answer if the lookup has not answered.
   */
  public CompletableFuture<ScreenResult> screenAsync(String number, String region) {
    long start = System.nanoTime();
    Screening s = new Screening(number, region(region));
    return s.answer != null ? CompletableFuture.completedFuture(s.answer) : screenAsync(s, start);
  }

  private CompletableFuture<ScreenResult> screenAsync(Screening s, long start) {
    CompletableFuture<ScreenResult> result = new CompletableFuture<>();
    Duration remaining = options.screenDeadline().minusNanos(System.nanoTime() - start);
    try {
      // Its own timer thread: the background scheduler may itself be stuck in a network call.
      ScheduledFuture<?> timer = deadlineTimer.schedule(() -> result.complete(s.failOpen(new TransportException(
              "No answer within the screen deadline", 0, "timeout", null, null, null))),
          Math.max(0, remaining.toMillis()), TimeUnit.MILLISECONDS);
      executor.execute(() -> {
        result.complete(s.remote(remaining));
        timer.cancel(false);
      });
    } catch (RejectedExecutionException e) {
      result.complete(s.failOpen(new TransportException("client closed", 0, "closed", null, null, e)));
    }
    return result;
  }

  /**
   * True when the local filter may hold the number (or there is no filter yet). No network: for decorating call
   * logs and the like.
   */
  public boolean isPossiblyListed(String number) {
    String e164 = normalizer.normalize(number, options.defaultRegion());
    return e164 == null || filter.mightContain(e164);
  }

  // ---- lookups -------------------------------------------------------------------------------------------------

  /** The server's reputation of a number. Throws {@link InvalidNumberException} and the other typed exceptions. */
  public Reputation lookup(String number) {
    return lookup(number, null);
  }

  public Reputation lookup(String number, String region) {
    return lookupOnce(number, region(region), null);
  }

  public CompletableFuture<Reputation> lookupAsync(String number) {
    return async(() -> lookup(number));
  }

  private Reputation lookupOnce(String number, String region, Duration deadline) {
    HttpUrl url = http.url("v1/numbers").addPathSegment(number).addQueryParameter("region", region).build();
    Http.Answer answer = http.call(http.request(url).build(), deadline);
    Reputation rep = reputation(answer.json());
    long maxAge = rep.degraded() ? 0 : ResponseCache.maxAgeSeconds(answer.header("Cache-Control"));
    cache.put(rep.number(), rep, maxAge);
    if (!rep.number().equals(number)) {
      cache.put(cacheKey(null, number, region), rep, maxAge);
    }
    return rep;
  }

  /**
   * The reputation of {@code e164} from the hash-prefix answer of its SHA-256's first 5 hex digits: the server
   * learns 20 bits of the hash, never the number. Absent means unreported, exactly as its own lookup would answer,
   * except under an operator's prefix override (named in the answer), which only the number's own lookup applies.
   */
  private Reputation privateLookup(String e164, String region, Duration deadline) {
    long started = System.nanoTime();
    String hash = HashPrefix.sha256(e164);
    String prefix = hash.substring(0, HashPrefix.DIGITS);
    HashPrefix.Answer answer = prefixCache.get(prefix);
    long maxAge = 0;
    if (answer == null) {
      HttpUrl url = http.url("v1/numbers/hash-prefix").addPathSegment(prefix).build();
      Http.Answer got = http.call(http.request(url).build(), deadline);
      answer = HashPrefix.parse(got.json());
      maxAge = answer.degraded ? 0 : ResponseCache.maxAgeSeconds(got.header("Cache-Control"));
      prefixCache.put(prefix, answer, maxAge);
    }
    JSONObject entry = answer.entries.get(hash);
    Reputation rep;
    if (entry != null) {
      rep = reputation(new JSONObject(entry.toString()).put("number", e164));
    } else if (answer.overridden(e164)) {
      Duration left = deadline == null ? null : deadline.minusNanos(System.nanoTime() - started);
      if (left != null && (left.isNegative() || left.isZero())) {
        throw new TransportException("screen deadline passed before the lookup", 0, "timeout", null, null, null);
      }
      return lookupOnce(e164, region, left);
    } else {
      // Not listed, unless a candidate the server could not read is it: then the answer is degraded too.
      rep = reputation(new JSONObject().put("number", e164).put("verdict", "ALLOW")
          .put("degraded", answer.degraded));
    }
    cache.put(e164, rep, rep.degraded() ? 0 : maxAge);
    return rep;
  }

  private static String cacheKey(String e164, String raw, String region) {
    return e164 != null ? e164 : region + "|" + raw;
  }

  /** Up to 1000 numbers in one call; answers in order, each a reputation or that input's error. */
  public List<LookupResult> lookupBatch(List<String> numbers) {
    return lookupBatch(numbers, null);
  }

  public List<LookupResult> lookupBatch(List<String> numbers, String region) {
    JSONObject body = new JSONObject().put("numbers", new JSONArray(numbers)).put("region", region(region));
    Http.Answer answer = http.call(http.request(http.url("v1/numbers/lookup").build())
        .post(RequestBody.create(body.toString(), JSON)).build(), null);
    JSONArray results = answer.json().getJSONArray("results");
    List<LookupResult> out = new ArrayList<>(results.length());
    for (int i = 0; i < results.length(); i++) {
      JSONObject item = results.getJSONObject(i);
      String input = i < numbers.size() ? numbers.get(i) : null;
      out.add(item.has("error")
          ? new LookupResult(input, null, item.getString("error"), item.optString("message", null))
          : new LookupResult(input, reputation(item), null, null));
    }
    return out;
  }

  public CompletableFuture<List<LookupResult>> lookupBatchAsync(List<String> numbers) {
    return async(() -> lookupBatch(numbers));
  }

  static Reputation reputation(JSONObject json) {
    Map<String, Long> categories = new LinkedHashMap<>();
    JSONObject cats = json.optJSONObject("categories");
    if (cats != null) {
      for (Iterator<String> it = cats.keys(); it.hasNext(); ) {
        String k = it.next();
        categories.put(k, cats.getLong(k));
      }
    }
    List<String> reasons = new ArrayList<>();
    JSONArray rs = json.optJSONArray("reasons");
    if (rs != null) {
      for (int i = 0; i < rs.length(); i++) {
        // Kept as strings: a newer server's reason codes pass through untouched.
        reasons.add(String.valueOf(rs.get(i)));
      }
    }
    return new Reputation(json.getString("number"), Verdict.parse(json.optString("verdict", null)),
        json.optDouble("score", 0), json.optLong("reports", 0), json.optLong("reporters", 0), categories, reasons,
        instant(json, "firstReported"), instant(json, "lastReported"), json.optBoolean("degraded", false));
  }

  private static Instant instant(JSONObject json, String key) {
    return json.isNull(key) ? null : Instant.parse(json.getString(key));
  }

  // ---- reports -------------------------------------------------------------------------------------------------

  /**
   * Reports a number. The report is first stored in the offline queue with a new Idempotency-Key, then sent; if
   * the server cannot be reached (or asks to retry later) the receipt says {@link ReportReceipt#queued()} and the
   * report is delivered later, with the same key, across restarts. Refusals that retrying cannot fix (invalid
   * number, too old) throw and drop the report.
   */
  public ReportReceipt report(Report report) {
    JSONObject body = new JSONObject()
        .put("number", report.number())
        .put("category", report.category().name())
        // Fixed now, so a report delivered days later still tells when the call happened.
        .put("occurredAt", (report.occurredAt() != null ? report.occurredAt() : options.clock().instant()).toString());
    if (report.region() != null) {
      body.put("region", region(report.region()));
    }
    if (report.platform() != null) {
      body.put("platform", report.platform());
    }
    if (report.note() != null) {
      body.put("note", report.note());
    }
    if (report.callerVerification() != null) {
      body.put("callerVerification", report.callerVerification().name());
    }
    // Durable first (outside the lock, which a flush may hold a while), then in order under the lock.
    long madeNanos = System.nanoTime();
    ReportOutbox.Entry entry = outbox.add(body, numberKey(body), options.clock().millis());
    madeAtNanos.put(entry.idempotencyKey, madeNanos);
    deliveryLock.lock();
    try {
      JSONObject accepted = deliver(entry);
      forget(entry);
      // Delivered: an older queued report on the number must never arrive after it (the server keeps the last vote
      // to arrive), so it goes. All delivery holds the lock, so none of them is on its way now.
      dropped(outbox.supersede(entry), "superseded");
      return receipt(entry, accepted);
    } catch (DunblockException e) {
      if (e.isRetryable()) {
        // Queued: it replaces the number's older queued report, then the bound makes room by the oldest.
        dropped(outbox.supersede(entry), "superseded");
        dropped(outbox.trim(options.maxQueuedReports(), options.maxQueuedBytes(), entry), "queue_full");
        scheduleFlush(e.retryAfter() != null ? capped(e.retryAfter()) : options.retryBaseDelay());
        return new ReportReceipt(entry.idempotencyKey, null, report.number(), false, true);
      }
      // Refused: the older queued report on the number (if any) stays, it is still the user's last valid vote.
      forget(entry);
      throw e;
    } finally {
      deliveryLock.unlock();
    }
  }

  /** The number a report body is about, as the queue keys it: E.164 when the SDK can normalise it. */
  private String numberKey(JSONObject body) {
    String raw = body.optString("number", "");
    String region = region(body.optString("region", null));
    String e164 = normalizer.normalize(raw, region);
    return e164 != null ? e164 : region + "|" + raw;
  }

  private void forget(ReportOutbox.Entry entry) {
    outbox.remove(entry);
    madeAtNanos.remove(entry.idempotencyKey);
  }

  private void dropped(List<ReportOutbox.Entry> gone, String reason) {
    for (ReportOutbox.Entry e : gone) {
      madeAtNanos.remove(e.idempotencyKey);
      LOG.info("Queued report " + e.idempotencyKey + " dropped: " + reason);
      ReportListener l = options.reportListener();
      if (l != null) {
        l.dropped(e.idempotencyKey, reason);
      }
    }
  }

  /** A server's (or a network's) Retry-After, at most the maximum back-off: a bogus "3 days" cannot stall the queue. */
  private Duration capped(Duration retryAfter) {
    return retryAfter.compareTo(options.retryMaxDelay()) > 0 ? options.retryMaxDelay() : retryAfter;
  }

  /**
   * X-Client-Time: the phone's clock now, on the same footing as the report's occurredAt. For a report made by this
   * process, its clock when made plus the time elapsed since (System.nanoTime, which no clock change moves): a
   * clock set or corrected after the report was made cannot misdate it. Otherwise (made before a restart) the
   * clock now.
   */
  private String clientTime(ReportOutbox.Entry entry) {
    Long made = madeAtNanos.get(entry.idempotencyKey);
    long ms = made != null && entry.madeAtMs != 0
        ? entry.madeAtMs + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - made)
        : options.clock().millis();
    return Instant.ofEpochMilli(ms).toString();
  }

  public CompletableFuture<ReportReceipt> reportAsync(Report report) {
    return async(() -> report(report));
  }

  /** Reports waiting in the offline queue. */
  public int pendingReports() {
    return outbox.size();
  }

  /**
   * Sends queued reports now, oldest first, stopping at the first one that must wait. Returns how many were
   * delivered. Throws the failure that stopped it, if any.
   */
  public int deliverQueuedReports() {
    return flushQueue()[0];
  }

  /** Delivers the queue in order: {delivered, files removed}. Throws the retryable failure that stopped it. */
  private int[] flushQueue() {
    deliveryLock.lock();
    try {
      int delivered = 0;
      int removed = 0;
      for (ReportOutbox.Entry entry : outbox.pending()) {
        try {
          ReportReceipt receipt = receipt(entry, deliver(entry));
          if (outbox.remove(entry)) {
            removed++;
          }
          madeAtNanos.remove(entry.idempotencyKey);
          delivered++;
          ReportListener l = options.reportListener();
          if (l != null) {
            l.delivered(receipt);
          }
        } catch (DunblockException e) {
          if (e.isRetryable()) {
            throw e;
          }
          LOG.warning("Queued report " + entry.idempotencyKey + " refused for good: " + e);
          if (outbox.remove(entry)) {
            removed++;
          }
          madeAtNanos.remove(entry.idempotencyKey);
          ReportListener l = options.reportListener();
          if (l != null) {
            l.rejected(entry.idempotencyKey, e);
          }
        }
      }
      return new int[] {delivered, removed};
    } finally {
      deliveryLock.unlock();
    }
  }

  private static ReportReceipt receipt(ReportOutbox.Entry entry, JSONObject accepted) {
    return new ReportReceipt(entry.idempotencyKey, accepted.getString("reportId"), accepted.getString("number"),
        accepted.optBoolean("counted", false), false);
  }

  private JSONObject deliver(ReportOutbox.Entry entry) {
    for (int attempt = 0; ; attempt++) {
      String t = token();
      try {
        Http.Answer answer = http.call(http.request(http.url("v1/reports").build())
            .header("Authorization", "Bearer " + t)
            .header("Idempotency-Key", entry.idempotencyKey)
            .header("X-Client-Time", clientTime(entry))
            .post(RequestBody.create(entry.body.toString(), JSON)).build(), null);
        JSONObject accepted = answer.json();
        if (!(accepted.opt("reportId") instanceof String) || !(accepted.opt("number") instanceof String)) {
          // Some JSON, but not our receipt (a portal or proxy speaking JSON): not delivered.
          throw new TransportException("The answer is not a report receipt", answer.status, "malformed_response",
              answer.requestId, null, null);
        }
        return accepted;
      } catch (UnauthorizedException e) {
        // A token the server no longer knows (e.g. a new deployment): get a new one once. Nothing was counted.
        if (attempt > 0) {
          throw e;
        }
        forgetToken(t);
      }
    }
  }

  private String token() {
    String t = token;
    if (t != null) {
      return t;
    }
    synchronized (tokenLock) {
      if (token == null) {
        Http.Answer answer = http.call(http.request(http.url("v1/reporters").build())
            .post(RequestBody.create(new byte[0], null)).build(), null);
        Object fresh = answer.json().opt("token");
        if (!(fresh instanceof String) || Text.isBlank((String) fresh)) {
          throw new TransportException("The answer is not a reporter token", answer.status, "malformed_response",
              answer.requestId, null, null);
        }
        try {
          AtomicFiles.write(tokenFile, ((String) fresh).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
          LOG.log(Level.WARNING, "Could not keep the reporter token in " + tokenFile, e);
        }
        token = (String) fresh;
      }
      return token;
    }
  }

  private void forgetToken(String stale) {
    synchronized (tokenLock) {
      if (stale.equals(token)) {
        token = null;
        if (!tokenFile.delete() && tokenFile.exists()) {
          LOG.warning("Could not delete " + tokenFile);
        }
      }
    }
  }

  private String readToken() {
    try {
      if (tokenFile.exists()) {
        String t = new String(Files.readAllBytes(tokenFile.toPath()), StandardCharsets.UTF_8).trim();
        return t.isEmpty() ? null : t;
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Could not read " + tokenFile, e);
    }
    return null;
  }

  // ---- filter --------------------------------------------------------------------------------------------------

  /** Brings the local filter up to date now (snapshot if needed, then changes). Blocking. */
  public FilterStatus syncFilter() {
    filter.sync();
    return filterStatus();
  }

  public CompletableFuture<FilterStatus> syncFilterAsync() {
    return async(this::syncFilter);
  }

  public FilterStatus filterStatus() {
    FilterState s = filter.state();
    long last = filter.lastSyncMs();
    return s == null ? new FilterStatus(false, null, 0, 0, null, null)
        : new FilterStatus(true, version(s), capacity(s), added(s), Instant.ofEpochMilli(snapshotAt(s)),
            last == 0 ? null : Instant.ofEpochMilli(last));
  }

  /**
   * Follows the server's live stream while the app is in the foreground: a newly listed number reaches the local
   * filter within a second. Reconnects with back-off until {@link #stopLiveUpdates()}.
   */
  public void startLiveUpdates() {
    filter.startLive();
  }

  public void stopLiveUpdates() {
    filter.stopLive();
  }

  byte[] filterBits() throws IOException {
    return filter.bits();
  }

  // Accessors across packages without making FilterState public API.
  private static String version(FilterState s) {
    return org.dunblock.client.internal.FilterStates.version(s);
  }

  private static long capacity(FilterState s) {
    return org.dunblock.client.internal.FilterStates.capacity(s);
  }

  private static long added(FilterState s) {
    return org.dunblock.client.internal.FilterStates.added(s);
  }

  private static long snapshotAt(FilterState s) {
    return org.dunblock.client.internal.FilterStates.snapshotAt(s);
  }

  // ---- background ----------------------------------------------------------------------------------------------

  private void backgroundSync() {
    if (closed) {
      return;
    }
    Duration next = options.filterPollInterval();
    try {
      if (!filter.live() || filter.state() == null) {
        filter.sync();
      }
      syncFailures = 0;
    } catch (DunblockException e) {
      next = backoff.delay(syncFailures++);
      if (e.retryAfter() != null && e.retryAfter().compareTo(next) > 0) {
        next = e.retryAfter();
      }
      LOG.fine("Filter sync failed, next try in " + next + ": " + e);
    } catch (RuntimeException e) {
      next = backoff.delay(syncFailures++);
      LOG.log(Level.WARNING, "Filter sync failed", e);
    }
    if (!closed) {
      scheduler.schedule(this::backgroundSync, next.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private synchronized void scheduleFlush(Duration delay) {
    if (closed || !options.backgroundSync()) {
      return;
    }
    ScheduledFuture<?> current = flushTask;
    if (current != null && !current.isDone()) {
      return;
    }
    flushTask = scheduler.schedule(this::backgroundFlush, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void backgroundFlush() {
    Duration next = null;
    try {
      int removed = flushQueue()[1];
      if (outbox.size() > 0 && removed == 0) {
        // Files left that this run could not shrink (unreadable and impossible to move aside, or impossible to
        // delete): never again at once, or the loop spins; back off as after a failure.
        next = backoff.delay(flushFailures++);
      } else {
        flushFailures = 0;
      }
    } catch (DunblockException e) {
      next = backoff.delay(flushFailures++);
      if (e.retryAfter() != null && e.retryAfter().compareTo(next) > 0) {
        next = capped(e.retryAfter());
      }
    } catch (RuntimeException e) {
      next = backoff.delay(flushFailures++);
      LOG.log(Level.WARNING, "Delivering queued reports failed", e);
    }
    synchronized (this) {
      flushTask = null;
    }
    if (next != null || outbox.size() > 0) {
      scheduleFlush(next != null ? next : Duration.ZERO);
    }
  }

  private <T> CompletableFuture<T> async(Supplier<T> work) {
    return CompletableFuture.supplyAsync(work, executor);
  }

  /** Stops background work, saves the filter and releases the data dir. Queued reports stay queued. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    filter.stopLive();
    scheduler.shutdownNow();
    deadlineTimer.shutdown();
    executor.shutdown();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    filter.persistIfDirty();
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Could not release the data dir lock", e);
    }
  }

  private String region(String region) {
    return normalizer.region(region, options.defaultRegion());
  }
}
