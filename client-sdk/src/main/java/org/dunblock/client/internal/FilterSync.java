package org.dunblock.client.internal;

import java.io.File;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okio.BufferedSource;
import org.dunblock.client.DunblockException;
import org.dunblock.client.TransportException;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * Keeps the local filter current: snapshot download with checksum verification, change polling, and the live
 * event stream. Every change of the state happens under one lock; readers ({@link #mightContain}) never lock.
 *
 * <p>Memory: a snapshot is streamed to a temp file and read back with {@code BloomFilter.readFrom}, so the filter is
 * held once (its bit array), never as byte[] copies. Disk: the filter file is written on a new snapshot and when the
 * journal of changes after it passes {@link #JOURNAL_MAX_BYTES}; each change in between appends a line to the
 * journal (fsync'd), which the next load replays.
 */
public final class FilterSync {
  private static final Logger LOG = Logger.getLogger(FilterSync.class.getName());
  static final String FILE_NAME = "filter.dat";
  static final String JOURNAL_NAME = "filter.journal";
  private static final String DOWNLOAD_SUFFIX = ".download";
  private static final int MAX_PAGES = 10_000;
  private static final long SSE_READ_TIMEOUT_MS = 45_000;
  /** A journal past this is folded into a rewrite of the filter file (a few days of changes at 20k a day). */
  public static final long JOURNAL_MAX_BYTES = 1 << 20;
  /**
   * Removed entries kept beside the filter; past this the next sync asks for a new snapshot, which leaves them out
   * (about 60 bytes of heap each: 600 KB at the bound).
   */
  public static final int MAX_REMOVED = 10_000;

  private final Http http;
  private final File file;
  private final FilterJournal journal;
  private final Duration snapshotMaxAge;
  private final Backoff backoff;
  private final long journalMaxBytes;
  private final AtomicReference<FilterState> state = new AtomicReference<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final SecureRandom ids = new SecureRandom();
  /** The state is ahead of file + journal (a journal write failed): write the whole file at the next chance. */
  private volatile boolean needsRewrite;
  private volatile long lastSyncMs;
  private final AtomicInteger snapshotDownloads = new AtomicInteger();
  private final AtomicInteger fileWrites = new AtomicInteger();
  private int generation;

  private volatile boolean live;
  private volatile Thread liveThread;
  private volatile Call liveCall;

  public FilterSync(Http http, File cacheDir, Duration snapshotMaxAge, Backoff backoff) {
    this(http, cacheDir, snapshotMaxAge, backoff, JOURNAL_MAX_BYTES);
  }

  FilterSync(Http http, File cacheDir, Duration snapshotMaxAge, Backoff backoff, long journalMaxBytes) {
    this.http = http;
    this.file = new File(cacheDir, FILE_NAME);
    this.journal = new FilterJournal(new File(cacheDir, JOURNAL_NAME));
    this.snapshotMaxAge = snapshotMaxAge;
    this.backoff = backoff;
    this.journalMaxBytes = journalMaxBytes;
  }

  /** Loads the filter kept in the cache dir and replays its journal; a damaged file is deleted, never used. */
  public void load() {
    lock.lock();
    try {
      if (!file.exists()) {
        return;
      }
      FilterState loaded;
      try {
        loaded = FilterFile.read(file, 0);
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "Discarding damaged filter file " + file + ": " + e.getMessage());
        discardFiles();
        return;
      }
      FilterState[] s = {loaded};
      boolean replayed = false;
      boolean broken = false;
      try {
        replayed = loaded.fileId != 0 && journal.replay(loaded.fileId, r -> s[0] = apply(s[0], r));
      } catch (IOException | RuntimeException e) {
        // The file alone holds everything up to its version; what the journal held comes again as changes.
        LOG.log(Level.WARNING, "Filter journal unreadable, continuing from " + s[0].version + ": " + e.getMessage());
        broken = true;
      }
      state.set(s[0]);
      if (loaded.fileId == 0 || broken) {
        // A file of the SDK before the journal, or a journal we could only partly read: write ours once.
        rewriteLocked();
      } else if (!replayed) {
        try {
          journal.reset(loaded.fileId);
        } catch (IOException e) {
          needsRewrite = true;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static FilterState apply(FilterState s, FilterJournal.Record r) {
    if (r.version == null) {
      return s.revalidated(r.snapshotAtMs);
    }
    for (String n : r.added) {
      s.bloom.put(n);
      s.removed.remove(n);
    }
    s.removed.addAll(r.removed);
    return s.advance(r.version, r.added.size());
  }

  private void discardFiles() {
    if (file.exists() && !file.delete()) {
      LOG.warning("Could not delete " + file);
    }
    File j = journal.file();
    if (j.exists() && !j.delete()) {
      LOG.warning("Could not delete " + j);
    }
  }

  public FilterState state() {
    return state.get();
  }

  public long lastSyncMs() {
    return lastSyncMs;
  }

  /** Snapshots downloaded (200) since this object was made: for tests and diagnostics. */
  public int snapshotDownloads() {
    return snapshotDownloads.get();
  }

  /** Times the whole filter file was written since this object was made: for tests and diagnostics. */
  public int fileWrites() {
    return fileWrites.get();
  }

  /**
   * True when the number may be listed: a key the server's probe rules name for it ({@code X-Filter-Probes}: the
   * number, its prefix entries, its range entry) is in the filter and not removed since; or there is no filter yet.
   */
  public boolean mightContain(String e164) {
    FilterState s = state.get();
    return s == null || s.mightContain(e164);
  }

  /** Brings the filter up to date: a snapshot when needed, then every change page. Blocking. */
  public FilterState sync() {
    lock.lock();
    try {
      FilterState s = state.get();
      boolean fresh = false;
      if (s == null) {
        s = downloadSnapshot(null);
        fresh = true;
      } else if (needsSnapshot(s)) {
        // Old, overfull or carrying many removals: a new snapshot sheds aged-out and removed numbers and resizes;
        // 304 when ours is still current.
        FilterState newer = downloadSnapshot(s.etag);
        if (newer != null) {
          s = newer;
          fresh = true;
        } else {
          s = s.revalidated(System.currentTimeMillis());
          state.set(s);
          long at = s.snapshotAtMs;
          journal(() -> journal.appendRevalidated(at));
        }
      }
      for (int page = 0; page < MAX_PAGES; page++) {
        HttpUrl url = http.url("v1/filter/changes").addQueryParameter("since", s.version).build();
        Http.Answer answer = http.exchange(http.request(url).build(), null);
        if (answer.status == 410) {
          if (fresh) {
            // Even the snapshot we just got is behind the streams (it is rebuilt periodically): keep it, it holds
            // everything up to its version, and try again later.
            break;
          }
          s = downloadSnapshot(null);
          fresh = true;
          continue;
        }
        if (answer.status != 200) {
          throw Http.error(answer);
        }
        JSONObject json = answer.json();
        List<String> added = strings(json.getJSONArray("added"));
        JSONArray removedJson = json.optJSONArray("removed");
        List<String> removed = removedJson == null ? Collections.<String>emptyList() : strings(removedJson);
        String version = json.getString("version");
        if (!version.equals(s.version) || !added.isEmpty() || !removed.isEmpty()) {
          s = apply(s, new FilterJournal.Record(version, added, removed, -1));
          state.set(s);
          journal(() -> journal.appendChange(version, added, removed));
        }
        if (!json.optBoolean("more", false)) {
          break;
        }
      }
      lastSyncMs = System.currentTimeMillis();
      persistLocked();
      return s;
    } finally {
      lock.unlock();
    }
  }

  private boolean needsSnapshot(FilterState s) {
    return System.currentTimeMillis() - s.snapshotAtMs >= snapshotMaxAge.toMillis()
        || s.capacity > 0 && s.numbers + s.added > s.capacity
        || s.removed.size() > MAX_REMOVED;
  }

  private static List<String> strings(JSONArray array) {
    List<String> out = new ArrayList<>(array.length());
    for (int i = 0; i < array.length(); i++) {
      out.add(array.getString(i));
    }
    return out;
  }

  /**
   * Downloads, verifies and loads a snapshot, streaming it to a temp file that then replaces the filter file; null
   * on 304. A mismatched or unreadable body is never used; a format or probe rule this SDK does not know drops the
   * local filter, so screen() asks the server (fail safe) until an SDK update.
   */
  private FilterState downloadSnapshot(String etag) {
    Request.Builder builder = http.request(http.url("v1/filter")
            .addQueryParameter("format", Integer.toString(FilterProbes.FORMAT)).build())
        .header("Accept", "application/vnd.dunblock.bloom");
    if (etag != null) {
      builder.header("If-None-Match", etag);
    }
    Request request = builder.build();
    String requestId = request.header(Http.REQUEST_ID);
    File tmp = new File(file.getParentFile(), FILE_NAME + DOWNLOAD_SUFFIX);
    try (Response response = http.client().newCall(request).execute()) {
      String echoed = response.header(Http.REQUEST_ID);
      String id = echoed != null ? echoed : requestId;
      int status = response.code();
      if (status == 304) {
        return null;
      }
      if (status != 200) {
        byte[] body = response.body() == null ? new byte[0] : response.body().bytes();
        Http.Answer answer = new Http.Answer(status, response.headers(), body, id);
        if (status == 406) {
          throw refuse("the server serves no filter format this SDK reads", status, id);
        }
        throw Http.error(answer);
      }
      String expected = response.header("X-Filter-SHA256");
      String version = response.header("X-Filter-Version");
      if (expected == null || version == null) {
        throw corrupt(status, id, "snapshot without X-Filter-SHA256 or X-Filter-Version", null);
      }
      String formatHeader = response.header("X-Filter-Format");
      if (formatHeader != null && !formatHeader.trim().equals(Integer.toString(FilterProbes.FORMAT))) {
        throw refuse("filter format " + formatHeader + " is not one this SDK reads", status, id);
      }
      String probesText = response.header("X-Filter-Probes");
      if (probesText == null) {
        probesText = FilterProbes.FORMAT_1_DEFAULT; // a server before X-Filter-Probes: format 1's rules
      }
      try {
        FilterProbes.parse(probesText);
      } catch (IllegalArgumentException e) {
        throw refuse("the filter's probe rules are not ones this SDK applies (" + e.getMessage() + ")", status, id);
      }
      long fileId = newFileId();
      FilterFile.Header header = new FilterFile.Header(fileId, version, response.header("ETag"),
          parseLong(response.header("X-Filter-Capacity"), 0), parseLong(response.header("X-Filter-Numbers"), 0), 0,
          System.currentTimeMillis(), FilterProbes.FORMAT, probesText, ConcurrentHashMap.newKeySet());
      byte[] actual = FilterFile.writeDownload(FilterFile.temp(file, DOWNLOAD_SUFFIX), header,
          response.body().byteStream());
      if (!FilterState.hex(actual).equalsIgnoreCase(expected)) {
        tmp.delete();
        throw corrupt(status, id, "snapshot checksum mismatch (expected " + expected + ", got "
            + FilterState.hex(actual) + ")", null);
      }
      FilterState s;
      try {
        s = FilterFile.read(tmp, ++generation);
      } catch (IOException e) {
        tmp.delete();
        throw corrupt(status, id, "snapshot is not a readable filter", e);
      }
      try {
        FilterFile.moveInto(tmp, file);
        journal.reset(fileId);
        needsRewrite = false;
      } catch (IOException e) {
        LOG.log(Level.WARNING, "Could not save the filter to " + file, e);
        needsRewrite = true;
      }
      snapshotDownloads.incrementAndGet();
      fileWrites.incrementAndGet();
      state.set(s);
      return s;
    } catch (java.io.InterruptedIOException e) {
      tmp.delete();
      throw new TransportException("No answer in time from " + request.url().host(), 0, "timeout", requestId, null,
          e);
    } catch (IOException e) {
      tmp.delete();
      throw new TransportException("Cannot reach " + request.url().host() + ": " + e.getMessage(), 0, "transport",
          requestId, null, e);
    }
  }

  private long newFileId() {
    long id;
    do {
      id = ids.nextLong();
    } while (id == 0);
    return id;
  }

  private DunblockException refuse(String message, int status, String requestId) {
    LOG.warning("Not using the server's filter: " + message + "; asking the server about every call until the SDK"
        + " is updated (request " + requestId + ")");
    state.set(null);
    discardFiles();
    return new TransportException(message, status, "unsupported_filter_format", requestId, null, null);
  }

  private static DunblockException corrupt(int status, String requestId, String message, Throwable cause) {
    LOG.warning("Discarding filter snapshot: " + message + " (request " + requestId + ")");
    return new TransportException(message, status, "corrupt_filter", requestId, null, cause);
  }

  private static long parseLong(String s, long fallback) {
    try {
      return s == null ? fallback : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private interface JournalWrite {
    void run() throws IOException;
  }

  /**
   * Journals a change already applied to the state. If the journal cannot take it, later lines must not follow a
   * gap: the whole file is written instead at the next chance ({@link #persistIfDirty()} or the end of a sync).
   */
  private void journal(JournalWrite write) {
    if (needsRewrite) {
      return;
    }
    try {
      write.run();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Could not append to the filter journal; the filter file will be rewritten", e);
      needsRewrite = true;
    }
  }

  /** Folds the journal into the filter file when it passed its bound, or after a failed journal write. */
  public void persistIfDirty() {
    if (!needsRewrite && journal.bytes() <= journalMaxBytes) {
      return;
    }
    lock.lock();
    try {
      persistLocked();
    } finally {
      lock.unlock();
    }
  }

  private void persistLocked() {
    if (state.get() != null && (needsRewrite || journal.bytes() > journalMaxBytes)) {
      rewriteLocked();
    }
  }

  /** Writes the whole state as a new filter file and starts its empty journal. */
  private void rewriteLocked() {
    FilterState s = state.get();
    if (s == null) {
      return;
    }
    long id = newFileId();
    try {
      FilterFile.write(file, s, id);
      fileWrites.incrementAndGet();
      // Until the journal is reset it names the old file, so a crash here loses nothing: the new file holds all.
      state.set(s.withFileId(id));
      journal.reset(id);
      needsRewrite = false;
    } catch (IOException e) {
      needsRewrite = true;
      LOG.log(Level.WARNING, "Could not save the filter to " + file, e);
    }
  }

  // ---- live stream -------------------------------------------------------------------------------------------

  public boolean live() {
    return live;
  }

  /** Opens the event stream on its own daemon thread; reconnects with back-off until {@link #stopLive()}. */
  public synchronized void startLive() {
    if (live) {
      return;
    }
    live = true;
    Thread t = new Thread(this::liveLoop, "dunblock-filter-stream");
    t.setDaemon(true);
    liveThread = t;
    t.start();
  }

  public synchronized void stopLive() {
    live = false;
    Call call = liveCall;
    if (call != null) {
      call.cancel();
    }
    Thread t = liveThread;
    if (t != null) {
      t.interrupt();
    }
    liveThread = null;
  }

  private void liveLoop() {
    OkHttpClient sse = http.client().newBuilder().readTimeout(SSE_READ_TIMEOUT_MS, TimeUnit.MILLISECONDS).build();
    int failures = 0;
    while (live) {
      Duration wait = null;
      try {
        FilterState s = state.get();
        if (s == null) {
          sync();
          continue;
        }
        Request request = http.request(http.url("v1/filter/stream").addQueryParameter("since", s.version).build())
            .header("Accept", "text/event-stream").build();
        Call call = sse.newCall(request);
        liveCall = call;
        try (Response response = call.execute()) {
          if (response.code() == 410) {
            sync();
            continue;
          }
          if (response.code() != 200) {
            byte[] body = response.body() == null ? new byte[0] : response.body().bytes();
            throw Http.error(new Http.Answer(response.code(), response.headers(), body, request.header(Http.REQUEST_ID)));
          }
          failures = 0;
          readEvents(response.body().source());
        }
      } catch (DunblockException e) {
        wait = e.retryAfter();
        LOG.fine("Filter stream: " + e);
      } catch (IOException | RuntimeException e) {
        LOG.fine("Filter stream: " + e);
      }
      if (!live) {
        break;
      }
      try {
        Duration delay = backoff.delay(failures++);
        if (wait != null && wait.compareTo(delay) > 0) {
          delay = wait;
        }
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
  }

  /** Reads events until the stream ends or the chain of versions breaks (then the caller reconnects). */
  private void readEvents(BufferedSource source) throws IOException {
    String event = null;
    String id = null;
    StringBuilder data = new StringBuilder();
    String sessionVersion = null;
    List<String> pendingAdded = new ArrayList<>();
    List<String> pendingRemoved = new ArrayList<>();
    while (live) {
      String line = source.readUtf8Line();
      if (line == null) {
        return;
      }
      if (line.isEmpty()) {
        if (event != null) {
          sessionVersion = dispatch(event, id, data.toString(), sessionVersion, pendingAdded, pendingRemoved);
          if (sessionVersion == null) {
            return; // someone else moved the filter: resume from its version
          }
        }
        event = null;
        id = null;
        data.setLength(0);
      } else if (line.startsWith(":")) {
        continue;
      } else if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("id:")) {
        id = line.substring(3).trim();
      } else if (line.startsWith("data:")) {
        if (data.length() > 0) {
          data.append('\n');
        }
        data.append(line.substring(5).trim());
      }
    }
  }

  /**
   * Applies one event. Events without an id (the catch-up before its last event) are applied at once and journaled
   * with the next event that carries an id, so a catch-up costs one fsync; lost in a crash, they come again, since
   * the version did not move without them.
   */
  private String dispatch(String event, String id, String data, String sessionVersion, List<String> pendingAdded,
      List<String> pendingRemoved) {
    if ("ready".equals(event)) {
      return new JSONObject(data).getString("version");
    }
    boolean remove = "remove".equals(event);
    if (!remove && !"add".equals(event) || sessionVersion == null) {
      return sessionVersion;
    }
    String number = new JSONObject(data).getString("number");
    lock.lock();
    try {
      FilterState s = state.get();
      if (s == null) {
        return null;
      }
      if (!s.version.equals(sessionVersion)) {
        if (!remove) {
          s.bloom.put(number); // harmless; a removal is only applied in order
        }
        return null; // someone else moved the filter: resume from its version
      }
      if (remove) {
        s.removed.add(number);
        pendingRemoved.add(number);
        pendingAdded.remove(number);
      } else {
        s.bloom.put(number);
        s.removed.remove(number);
        pendingAdded.add(number);
        pendingRemoved.remove(number);
      }
      if (id == null) {
        return sessionVersion;
      }
      List<String> added = new ArrayList<>(pendingAdded);
      List<String> removed = new ArrayList<>(pendingRemoved);
      pendingAdded.clear();
      pendingRemoved.clear();
      state.set(s.advance(id, added.size()));
      journal(() -> journal.appendChange(id, added, removed));
      if (journal.bytes() > journalMaxBytes) {
        rewriteLocked();
      }
      return id;
    } finally {
      lock.unlock();
    }
  }

  /** The filter's bits (for tests comparing a delta-synced filter with a fresh one). */
  public byte[] bits() throws IOException {
    FilterState s = state.get();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    s.bloom.writeTo(out);
    return out.toByteArray();
  }
}
