package org.dunblock.client.internal;

import com.google.common.hash.BloomFilter;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 */
public final class FilterSync {
  private static final Logger LOG = Logger.getLogger(FilterSync.class.getName());
  static final String FILE_NAME = "filter.dat";
  private static final int MAX_PAGES = 10_000;
  private static final long SSE_READ_TIMEOUT_MS = 45_000;

  private final Http http;
  private final File file;
  private final Duration snapshotMaxAge;
  private final Backoff backoff;
  private final AtomicReference<FilterState> state = new AtomicReference<>();
  private final ReentrantLock lock = new ReentrantLock();
  private volatile boolean dirty;
  private volatile long lastSyncMs;
  private int generation;

  private volatile boolean live;
  private volatile Thread liveThread;
  private volatile Call liveCall;

  public FilterSync(Http http, File cacheDir, Duration snapshotMaxAge, Backoff backoff) {
    this.http = http;
    this.file = new File(cacheDir, FILE_NAME);
    this.snapshotMaxAge = snapshotMaxAge;
    this.backoff = backoff;
  }

  /** Loads the filter kept in the cache dir; a damaged file is deleted, never used. */
  public void load() {
    if (!file.exists()) {
      return;
    }
    try {
      FilterState loaded = FilterState.fromFile(Files.readAllBytes(file.toPath()));
      state.set(loaded);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "Discarding damaged filter file " + file + ": " + e.getMessage());
      if (!file.delete()) {
        LOG.warning("Could not delete " + file);
      }
    }
  }

  public FilterState state() {
    return state.get();
  }

  public long lastSyncMs() {
    return lastSyncMs;
  }

  /**
   * True when the number may be listed: it is in the filter, or one of its prefixes is (operators list whole blocks
   * as entries {@code "P:" + prefix}, from "+" and 3 digits up to 3 digits short of the number), or its block of
   * 100 has an automatic range (entry {@code "R:" + the number without its last two digits}), or there is no
   * filter yet.
   */
  public boolean mightContain(String e164) {
    FilterState s = state.get();
    if (s == null || s.bloom.mightContain(e164)) {
      return true;
    }
    for (int end = 4; end <= e164.length() - 3; end++) {
      if (s.bloom.mightContain(PREFIX_ENTRY + e164.substring(0, end))) {
        return true;
      }
    }
    return e164.length() >= RANGE_MIN_NUMBER_LENGTH
        && s.bloom.mightContain(RANGE_ENTRY + e164.substring(0, e164.length() - 2));
  }

  /** How the server lists an operator's prefix override in filters and changes. */
  public static final String PREFIX_ENTRY = "P:";
  /** How the server lists a block of 100 numbers with an automatic range (RANGE reason). */
  public static final String RANGE_ENTRY = "R:";
  /** Shorter numbers (E.164 with '+') form no ranges on the server. */
  public static final int RANGE_MIN_NUMBER_LENGTH = 11;

  /** Brings the filter up to date: a snapshot when needed, then every change page. Blocking. */
  public FilterState sync() {
    lock.lock();
    try {
      FilterState s = state.get();
      boolean fresh = false;
      if (s == null) {
        s = downloadSnapshot(null);
        fresh = true;
      } else if (System.currentTimeMillis() - s.snapshotAtMs >= snapshotMaxAge.toMillis() || s.added > s.capacity) {
        // Old or overfull: a new snapshot sheds aged-out numbers and resizes; 304 when ours is still current.
        FilterState newer = downloadSnapshot(s.etag);
        if (newer != null) {
          s = newer;
          fresh = true;
        } else {
          s = s.revalidated(System.currentTimeMillis());
          state.set(s);
          dirty = true;
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
        JSONArray added = json.getJSONArray("added");
        for (int i = 0; i < added.length(); i++) {
          s.bloom.put(added.getString(i));
        }
        String version = json.getString("version");
        if (!version.equals(s.version) || added.length() > 0) {
          s = s.advance(version, added.length());
          state.set(s);
          dirty = true;
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

  /** Downloads and verifies a snapshot; null on 304. A mismatched or unreadable body is never used. */
  private FilterState downloadSnapshot(String etag) {
    Request.Builder request = http.request(http.url("v1/filter").build())
        .header("Accept", "application/vnd.dunblock.bloom");
    if (etag != null) {
      request.header("If-None-Match", etag);
    }
    Http.Answer answer = http.exchange(request.build(), null);
    if (answer.status == 304) {
      return null;
    }
    if (answer.status != 200) {
      throw Http.error(answer);
    }
    String expected = answer.header("X-Filter-SHA256");
    String version = answer.header("X-Filter-Version");
    if (expected == null || version == null) {
      throw corrupt(answer, "snapshot without X-Filter-SHA256 or X-Filter-Version", null);
    }
    String actual = FilterState.hex(FilterState.sha256(answer.body));
    if (!actual.equalsIgnoreCase(expected)) {
      throw corrupt(answer, "snapshot checksum mismatch (expected " + expected + ", got " + actual + ")", null);
    }
    BloomFilter<CharSequence> bloom;
    try {
      bloom = FilterState.readBloom(answer.body);
    } catch (IOException e) {
      throw corrupt(answer, "snapshot is not a readable filter", e);
    }
    long capacity = parseLong(answer.header("X-Filter-Capacity"), 0);
    FilterState s = new FilterState(bloom, version, answer.header("ETag"), capacity, 0, System.currentTimeMillis(),
        ++generation);
    state.set(s);
    dirty = true;
    return s;
  }

  private static DunblockException corrupt(Http.Answer answer, String message, Throwable cause) {
    LOG.warning("Discarding filter snapshot: " + message + " (request " + answer.requestId + ")");
    return new TransportException(message, answer.status, "corrupt_filter", answer.requestId, null, cause);
  }

  private static long parseLong(String s, long fallback) {
    try {
      return s == null ? fallback : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  /** Writes the filter to the cache dir if it changed since the last write. */
  public void persistIfDirty() {
    if (!dirty) {
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
    FilterState s = state.get();
    if (s == null || !dirty) {
      return;
    }
    try {
      dirty = false;
      AtomicFiles.write(file, s.toFile());
    } catch (IOException e) {
      dirty = true;
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
    while (live) {
      String line = source.readUtf8Line();
      if (line == null) {
        return;
      }
      if (line.isEmpty()) {
        if (event != null) {
          sessionVersion = dispatch(event, id, data.toString(), sessionVersion);
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

  private String dispatch(String event, String id, String data, String sessionVersion) {
    if ("ready".equals(event)) {
      return new JSONObject(data).getString("version");
    }
    if (!"add".equals(event) || sessionVersion == null) {
      return sessionVersion;
    }
    String number = new JSONObject(data).getString("number");
    lock.lock();
    try {
      FilterState s = state.get();
      s.bloom.put(number);
      if (id == null) {
        return sessionVersion;
      }
      if (!s.version.equals(sessionVersion)) {
        return null;
      }
      state.set(s.advance(id, 1));
      dirty = true;
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
