package org.dunblock.client;

import java.io.File;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;

/**
 * Immutable settings of a {@link DunblockClient}: start from {@link #builder()}, change a copy with
 * {@link #mutate()}. Every option has a documented default except the base URL and the cache dir.
 */
public final class DunblockClientOptions {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(15);
  public static final Duration DEFAULT_SCREEN_DEADLINE = Duration.ofMillis(1500);
  public static final String DEFAULT_REGION = "CN";
  public static final Duration DEFAULT_FILTER_POLL_INTERVAL = Duration.ofMinutes(15);
  /** The protocol's minimum wait between change polls; shorter settings are raised to it. */
  public static final Duration MIN_FILTER_POLL_INTERVAL = Duration.ofSeconds(60);
  /**
   * Removals arrive with the changes (issue 16), so a snapshot is only needed to shed numbers that aged out, which
   * cost a lookup each, never a wrong answer: weekly, not daily (20 MB a week instead of a day at 5M numbers).
   */
  public static final Duration DEFAULT_SNAPSHOT_MAX_AGE = Duration.ofDays(7);
  public static final Duration DEFAULT_RETRY_BASE_DELAY = Duration.ofSeconds(5);
  public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofHours(1);
  public static final int DEFAULT_CACHE_ENTRIES = 1_000;
  /** Reports the offline queue holds at most; beyond it the oldest queued report is dropped for the new one. */
  public static final int DEFAULT_MAX_QUEUED_REPORTS = 1_000;
  /** Bytes the offline queue's files take at most (2 MiB; a report is about 300 bytes, 4 KB with a long note). */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 2L * 1024 * 1024;
  /** The smallest byte bound: room for the largest report the server accepts (a 1000-character note), and more. */
  public static final long MIN_MAX_QUEUED_BYTES = 16L * 1024;

  private final HttpUrl baseUrl;
  private final String apiKey;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration screenDeadline;
  private final File dataDir;
  private final File cacheDir;
  private final String defaultRegion;
  private final boolean backgroundSync;
  private final Duration filterPollInterval;
  private final Duration snapshotMaxAge;
  private final Duration retryBaseDelay;
  private final Duration retryMaxDelay;
  private final int cacheEntries;
  private final boolean privateLookups;
  private final OkHttpClient httpClient;
  private final ReportListener reportListener;
  private final java.util.function.BooleanSupplier mustNotBlock;
  private final int maxQueuedReports;
  private final long maxQueuedBytes;
  private final Clock clock;

  private DunblockClientOptions(Builder b) {
    if (b.baseUrl == null) {
      throw new IllegalArgumentException("baseUrl is required");
    }
    this.baseUrl = b.baseUrl;
    this.apiKey = b.apiKey;
    this.connectTimeout = positive(b.connectTimeout, "connectTimeout");
    this.readTimeout = positive(b.readTimeout, "readTimeout");
    this.screenDeadline = positive(b.screenDeadline, "screenDeadline");
    if (b.dataDir == null && b.cacheDir == null) {
      throw new IllegalArgumentException("dataDir is required (reporter token and offline reports)");
    }
    // Only a cache dir: the old single-directory layout, kept working (deprecated, see dataDir()).
    this.dataDir = b.dataDir != null ? b.dataDir : b.cacheDir;
    this.cacheDir = b.cacheDir != null ? b.cacheDir : new File(b.dataDir, "cache");
    // Android's getNetworkCountryIso() is lower case, and blank without a SIM: read any case, fall back to CN.
    this.defaultRegion = new org.dunblock.client.internal.NumberNormalizer().region(b.defaultRegion, DEFAULT_REGION);
    this.backgroundSync = b.backgroundSync;
    Duration poll = positive(b.filterPollInterval, "filterPollInterval");
    this.filterPollInterval = poll.compareTo(MIN_FILTER_POLL_INTERVAL) < 0 ? MIN_FILTER_POLL_INTERVAL : poll;
    this.snapshotMaxAge = Objects.requireNonNull(b.snapshotMaxAge, "snapshotMaxAge");
    this.retryBaseDelay = positive(b.retryBaseDelay, "retryBaseDelay");
    this.retryMaxDelay = positive(b.retryMaxDelay, "retryMaxDelay");
    this.cacheEntries = b.cacheEntries;
    this.privateLookups = b.privateLookups;
    this.httpClient = b.httpClient;
    this.reportListener = b.reportListener;
    this.mustNotBlock = b.mustNotBlock;
    if (b.maxQueuedReports < 1) {
      throw new IllegalArgumentException("maxQueuedReports must be at least 1");
    }
    this.maxQueuedReports = b.maxQueuedReports;
    if (b.maxQueuedBytes < MIN_MAX_QUEUED_BYTES) {
      throw new IllegalArgumentException("maxQueuedBytes must be at least " + MIN_MAX_QUEUED_BYTES);
    }
    this.maxQueuedBytes = b.maxQueuedBytes;
    this.clock = Objects.requireNonNull(b.clock, "clock");
  }

  private static Duration positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
    return d;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options, to derive changed ones. */
  public Builder mutate() {
    Builder b = new Builder();
    b.baseUrl = baseUrl;
    b.apiKey = apiKey;
    b.connectTimeout = connectTimeout;
    b.readTimeout = readTimeout;
    b.screenDeadline = screenDeadline;
    b.dataDir = dataDir;
    b.cacheDir = cacheDir;
    b.defaultRegion = defaultRegion;
    b.backgroundSync = backgroundSync;
    b.filterPollInterval = filterPollInterval;
    b.snapshotMaxAge = snapshotMaxAge;
    b.retryBaseDelay = retryBaseDelay;
    b.retryMaxDelay = retryMaxDelay;
    b.cacheEntries = cacheEntries;
    b.privateLookups = privateLookups;
    b.httpClient = httpClient;
    b.reportListener = reportListener;
    b.mustNotBlock = mustNotBlock;
    b.maxQueuedReports = maxQueuedReports;
    b.maxQueuedBytes = maxQueuedBytes;
    b.clock = clock;
    return b;
  }

  /** The server, e.g. {@code https://api.dunblock.example/}. Required. */
  public HttpUrl baseUrl() {
    return baseUrl;
  }

  /** Sent as {@code X-Api-Key} to identify the app (quotas); null sends none. */
  public String apiKey() {
    return apiKey;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Read timeout of ordinary calls (lookups, reports, filter sync). */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** How long screen() may take in all, network included; default 1.5 s. */
  public Duration screenDeadline() {
    return screenDeadline;
  }

  /**
   * Durable directory of the reporter token and the offline report queue (and the client's lock: one client per
   * data dir). On Android: {@code new File(context.getNoBackupFilesDir(), "dunblock")} (or getFilesDir()), never
   * the cache dir, which the system empties when storage runs low. Required; when only {@link #cacheDir()} is set,
   * it is the data dir too (the old layout, deprecated: queued reports and the token may be wiped with the cache).
   */
  public File dataDir() {
    return dataDir;
  }

  /**
   * Where the local filter is kept: it can always be downloaded again, so Android's
   * {@code new File(context.getCacheDir(), "dunblock")} fits. Default {@code <dataDir>/cache}.
   */
  public File cacheDir() {
    return cacheDir;
  }

  /**
   * Region in which national numbers are read, upper case; default CN. The builder accepts any case ({@code cn}
   * from Android's getNetworkCountryIso()); a blank or unknown region falls back to {@link #DEFAULT_REGION}.
   */
  public String defaultRegion() {
    return defaultRegion;
  }

  /** Poll filter changes and deliver queued reports on a background thread; default true. */
  public boolean backgroundSync() {
    return backgroundSync;
  }

  /** Wait between background change polls; default 15 min, never below 60 s. */
  public Duration filterPollInterval() {
    return filterPollInterval;
  }

  /** A snapshot older than this is revalidated (If-None-Match) to shed aged-out numbers; default 7 days. */
  public Duration snapshotMaxAge() {
    return snapshotMaxAge;
  }

  /** First retry delay of queued reports and failed syncs; doubles up to {@link #retryMaxDelay()}. */
  public Duration retryBaseDelay() {
    return retryBaseDelay;
  }

  public Duration retryMaxDelay() {
    return retryMaxDelay;
  }

  /** Server answers kept for their Cache-Control lifetime; default 1000. */
  public int cacheEntries() {
    return cacheEntries;
  }

  /**
   * True (the default): screen() never sends the caller's number to the server. A filter hit asks
   * {@code GET /v1/numbers/hash-prefix/{first 5 hex digits of SHA-256(E.164)}} and picks the number's own entry by
   * its full hash; absent is the unreported ALLOW. Two exceptions, both in client-sdk/README.md: a number under an
   * operator's prefix override is looked up by number (only the server can apply the override to it), and a
   * number the SDK cannot normalise is answered ALLOW without asking (it cannot be hashed as the server hashes).
   * False: every hit is looked up as {@code GET /v1/numbers/{number}}.
   */
  public boolean privateLookups() {
    return privateLookups;
  }

  /** The app's shared OkHttpClient (the SDK derives its own from it with newBuilder()), or null. */
  public OkHttpClient httpClient() {
    return httpClient;
  }

  /** Told when queued reports are delivered or refused, or null. */
  public ReportListener reportListener() {
    return reportListener;
  }

  /**
   * Asked by screen() on the calling thread: true means this thread must not wait for the network (on Android,
   * {@code () -> Looper.myLooper() == Looper.getMainLooper()}); screen() then answers from the local filter or the
   * cache, else fails open with code {@code would_block} and looks the number up in the background. Null (the
   * default): screen() may wait, at most the screen deadline.
   */
  public java.util.function.BooleanSupplier mustNotBlock() {
    return mustNotBlock;
  }

  /**
   * How many reports the offline queue holds at most; default 1000. When a report must wait and the queue is full,
   * the oldest queued report is dropped (told to {@link ReportListener#dropped}): the user's newest reports matter
   * most, and the oldest is the nearest to the server's age limit. A new report on a number already queued
   * replaces the queued one first, so the queue holds at most one report per number.
   */
  public int maxQueuedReports() {
    return maxQueuedReports;
  }

  /** Bytes the queue's files take at most, dropping the oldest as for {@link #maxQueuedReports()}; default 2 MiB. */
  public long maxQueuedBytes() {
    return maxQueuedBytes;
  }

  /**
   * The phone's clock: dates reports ({@code occurredAt} when the report does not say) and is sent with each
   * delivery as {@code X-Client-Time}, so the server can correct a wrong phone clock. Default the system clock.
   */
  public Clock clock() {
    return clock;
  }

  /** Builder for {@link DunblockClientOptions}. */
  public static final class Builder {
    private HttpUrl baseUrl;
    private String apiKey;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration screenDeadline = DEFAULT_SCREEN_DEADLINE;
    private File dataDir;
    private File cacheDir;
    private String defaultRegion = DEFAULT_REGION;
    private boolean backgroundSync = true;
    private Duration filterPollInterval = DEFAULT_FILTER_POLL_INTERVAL;
    private Duration snapshotMaxAge = DEFAULT_SNAPSHOT_MAX_AGE;
    private Duration retryBaseDelay = DEFAULT_RETRY_BASE_DELAY;
    private Duration retryMaxDelay = DEFAULT_RETRY_MAX_DELAY;
    private int cacheEntries = DEFAULT_CACHE_ENTRIES;
    private boolean privateLookups = true;
    private OkHttpClient httpClient;
    private ReportListener reportListener;
    private java.util.function.BooleanSupplier mustNotBlock;
    private int maxQueuedReports = DEFAULT_MAX_QUEUED_REPORTS;
    private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
    private Clock clock = Clock.systemUTC();

    private Builder() {
    }

    public Builder baseUrl(String url) {
      HttpUrl parsed = HttpUrl.parse(url);
      if (parsed == null) {
        throw new IllegalArgumentException("not an http(s) URL: " + url);
      }
      this.baseUrl = parsed;
      return this;
    }

    public Builder apiKey(String apiKey) {
      this.apiKey = apiKey;
      return this;
    }

    public Builder connectTimeout(Duration v) {
      this.connectTimeout = v;
      return this;
    }

    public Builder readTimeout(Duration v) {
      this.readTimeout = v;
      return this;
    }

    public Builder screenDeadline(Duration v) {
      this.screenDeadline = v;
      return this;
    }

    /** See {@link DunblockClientOptions#dataDir()}. */
    public Builder dataDir(File v) {
      this.dataDir = v;
      return this;
    }

    /**
     * See {@link DunblockClientOptions#cacheDir()}. Set alone (without {@link #dataDir(File)}) it also holds the
     * token and the offline queue: that use is deprecated.
     */
    public Builder cacheDir(File v) {
      this.cacheDir = v;
      return this;
    }

    public Builder defaultRegion(String v) {
      this.defaultRegion = v;
      return this;
    }

    public Builder backgroundSync(boolean v) {
      this.backgroundSync = v;
      return this;
    }

    public Builder filterPollInterval(Duration v) {
      this.filterPollInterval = v;
      return this;
    }

    public Builder snapshotMaxAge(Duration v) {
      this.snapshotMaxAge = v;
      return this;
    }

    public Builder retryBaseDelay(Duration v) {
      this.retryBaseDelay = v;
      return this;
    }

    public Builder retryMaxDelay(Duration v) {
      this.retryMaxDelay = v;
      return this;
    }

    public Builder cacheEntries(int v) {
      this.cacheEntries = v;
      return this;
    }

    /** See {@link DunblockClientOptions#privateLookups()}; default true. */
    public Builder privateLookups(boolean v) {
      this.privateLookups = v;
      return this;
    }

    public Builder httpClient(OkHttpClient v) {
      this.httpClient = v;
      return this;
    }

    public Builder reportListener(ReportListener v) {
      this.reportListener = v;
      return this;
    }

    /** See {@link DunblockClientOptions#mustNotBlock()}. */
    public Builder mustNotBlock(java.util.function.BooleanSupplier v) {
      this.mustNotBlock = v;
      return this;
    }

    /** See {@link DunblockClientOptions#maxQueuedReports()}. */
    public Builder maxQueuedReports(int v) {
      this.maxQueuedReports = v;
      return this;
    }

    /** See {@link DunblockClientOptions#maxQueuedBytes()}; at least {@link #MIN_MAX_QUEUED_BYTES}. */
    public Builder maxQueuedBytes(long v) {
      this.maxQueuedBytes = v;
      return this;
    }

    /** See {@link DunblockClientOptions#clock()}. */
    public Builder clock(Clock v) {
      this.clock = v;
      return this;
    }

    public DunblockClientOptions build() {
      return new DunblockClientOptions(this);
    }
  }
}
