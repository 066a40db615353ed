package org.dunblock.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The whole server configuration, parsed once from {@code DUNBLOCK_*} environment variables, validated at start
 * (each part checks its own variables and names the one that is wrong) and passed to constructors, each of which
 * takes the part it uses. Tests build their own with {@link #builder()}. {@link #toString()} never shows a secret.
 *
 * @param http how the HTTP server listens and what it accepts
 * @param redis where reputation state lives
 * @param filter each instance's Bloom filter
 * @param limits what one source may do per day, hour or minute
 * @param exports exports for carriers
 * @param scoring how votes become a verdict
 * @param patterns abuse patterns (address-book explosion, call-bombing, ranges)
 * @param defaultRegion the region of numbers written without a country code ({@code DUNBLOCK_DEFAULT_REGION})
 * @param trustedProxies addresses and ranges whose {@code X-Forwarded-For} is believed
 * @param secret {@code DUNBLOCK_SECRET}, the key of every stored hash; empty: kept in the data directory
 * @param adminKey {@code DUNBLOCK_ADMIN_KEY}, an admin API key seeded at start
 * @param lookupTimeout a lookup Redis has not answered within this is answered degraded
 * @param idempotencyTtl how long a report's Idempotency-Key answer is kept
 * @param retention a record untouched this long is gone
 * @param appealRetention decided appeals (with the appellant's contact) are deleted this long after the decision
 * @param appealPending an appeal nobody decided is deleted, with the appellant's contact, this long after it was filed
 * @param cache each instance's near cache of listed numbers' records
 */
public record DunblockConfig(
    HttpOptions http,
    RedisOptions redis,
    FilterOptions filter,
    LimitOptions limits,
    ExportOptions exports,
    ScoringPolicy scoring,
    PatternPolicy patterns,
    String defaultRegion,
    List<String> trustedProxies,
    Optional<String> secret,
    Optional<String> adminKey,
    Duration lookupTimeout,
    Duration idempotencyTtl,
    Duration retention,
    Duration appealRetention,
    Duration appealPending,
    CacheOptions cache) {
  /** The shortest DUNBLOCK_ADMIN_KEY accepted: a seeded key must be as hard to guess as a minted one. */
  public static final int MIN_ADMIN_KEY_LENGTH = 24;
  /** Trusted proxy ranges may be no wider than an IPv4 /8 or an IPv6 /16: wider is a typo or "trust everyone". */
  public static final int MAX_TRUSTED_PROXY_PREFIX_V4 = 8;
  public static final int MAX_TRUSTED_PROXY_PREFIX_V6 = 16;


  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final String DEFAULT_DATA_DIR = "./data";
  public static final String DEFAULT_REGION = "CN";
  public static final long DEFAULT_FILTER_EXPECTED_NUMBERS = 10_000_000L;
  public static final double DEFAULT_FILTER_FPP = 0.001;
  public static final Duration DEFAULT_FILTER_REBUILD_INTERVAL = Duration.ofMinutes(60);
  /** Changes a resuming filter stream replays at most; further behind, the app downloads a snapshot (a few KB). */
  public static final int DEFAULT_FILTER_STREAM_CATCHUP_MAX = 10_000;
  public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofMillis(250);
  public static final Duration DEFAULT_REDIS_TIMEOUT = Duration.ofSeconds(2);
  /**
   * When the embedded Redis fsyncs its append-only file: {@code everysec} (a machine crash can lose up to about a
   * second of acknowledged reports) or {@code always} (before every acknowledgement; slower writes).
   */
  public static final String DEFAULT_EMBEDDED_REDIS_FSYNC = "everysec";
  public static final int DEFAULT_MAX_BODY_BYTES = 128 * 1024;
  public static final Duration DEFAULT_IDEMPOTENCY_TTL = Duration.ofHours(24);
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(365);
  /** How long an export's snapshot (for since=) and signature are kept. */
  public static final Duration DEFAULT_EXPORT_TTL = Duration.ofDays(7);
  /**
   * Reporter tokens one network (/24, /48) gets per day. Tokens are the unit of one-vote-per-reporter; bounding them
   * per network bounds what one attacker gets, and the scoring gives one network one voice anyway.
   */
  public static final int DEFAULT_TOKENS_PER_NETWORK_PER_DAY = 20;
  /** Reports one reporter token may make per day (a victim reports a handful; a script reports thousands). */
  public static final int DEFAULT_REPORTS_PER_REPORTER_PER_DAY = 100;
  /**
   * Reports one network (/24, /48, after trusted proxies) may make per day across all its tokens. A household under
   * an address-book explosion reports a few dozen calls a day, an office of a hundred people behind one NAT a few
   * hundred; 500 leaves them room while a stockpile of tokens on one network (twenty a day, a hundred reports each)
   * no longer multiplies that network's reach: at most 500 numbers a day get its one voice.
   */
  public static final int DEFAULT_REPORTS_PER_NETWORK_PER_DAY = 500;
  /** Appeals accepted per hour from one client network, and per hour about one number. */
  public static final int DEFAULT_APPEALS_PER_HOUR = 5;
  /** Decided appeals (with the appellant's contact) are deleted this long after the decision. */
  public static final Duration DEFAULT_APPEAL_RETENTION = Duration.ofDays(90);
  /** An undecided appeal (with the appellant's contact) is deleted this long after it was filed. */
  public static final Duration DEFAULT_APPEAL_PENDING = Duration.ofDays(30);
  /**
   * A connection that sends nothing for this long is closed, and so is one that has not completed its next
   * request's headers this long after connecting or after its last answer (a slowloris trickling headers).
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** Once a request's headers are in, its whole body must arrive within this long (else 408 and the close). */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /**
   * Numbers one client address may look up per minute across all instances (0: no limit). Generous because many
   * phones can share one carrier-grade NAT address; it stops scrapers, not apps.
   */
  public static final int DEFAULT_LOOKUPS_PER_CLIENT_PER_MINUTE = 600;
  /** Clients one instance counts lookups for per minute (about 100 bytes each); past it, overflow buckets. */
  public static final int DEFAULT_LOOKUP_TRACKED_CLIENTS = 200_000;
  /**
   * Lines one bulk import reads at most (blank ones included). A hundred million lines is some 1.3 GB of CSV, far
   * beyond any published list, and keeps line numbers well within an int; a deployment may lower it.
   */
  public static final int DEFAULT_IMPORT_MAX_LINES = 100_000_000;

  public DunblockConfig {
    if (defaultRegion == null || !defaultRegion.matches("[A-Z]{2}")
        || !com.google.i18n.phonenumbers.PhoneNumberUtil.getInstance().getSupportedRegions().contains(defaultRegion)) {
      throw new ConfigException("DUNBLOCK_DEFAULT_REGION", "must be a two-letter region code such as CN");
    }
    trustedProxies = List.copyOf(trustedProxies);
    for (String proxy : trustedProxies) {
      if (!org.dunblock.server.net.IpRange.isValid(proxy)) {
        throw new ConfigException("DUNBLOCK_TRUSTED_PROXIES", "'" + proxy + "' is not an IP address or CIDR range");
      }
      org.dunblock.server.net.IpRange range = org.dunblock.server.net.IpRange.parse(proxy);
      int widest = range.isIpv4() ? MAX_TRUSTED_PROXY_PREFIX_V4 : MAX_TRUSTED_PROXY_PREFIX_V6;
      if (range.prefixBits() < widest) {
        throw new ConfigException("DUNBLOCK_TRUSTED_PROXIES", "'" + proxy + "' is wider than a /" + widest
            + ": every client in it could forge X-Forwarded-For and pick its own address and network; list your "
            + "proxies' addresses or their /" + widest + " or narrower ranges");
      }
    }
    // DESIGN.md rule 4: twelve victims on twelve networks within an hour is an address-book explosion.
    if (patterns.fanOutMinReporters() > 12) {
      throw new ConfigException("DUNBLOCK_FANOUT_MIN_REPORTERS", "must be at most 12: twelve victims on twelve "
          + "networks within an hour are an address-book explosion (rule 4)");
    }
    if (patterns.fanOutWindow().compareTo(Duration.ofHours(1)) < 0) {
      throw new ConfigException("DUNBLOCK_FANOUT_WINDOW_MINUTES", "must be at least 60: twelve victims on twelve "
          + "networks within an hour are an address-book explosion (rule 4)");
    }
    requirePositive("DUNBLOCK_LOOKUP_TIMEOUT_MS", lookupTimeout);
    requirePositive("DUNBLOCK_IDEMPOTENCY_TTL_HOURS", idempotencyTtl);
    requirePositive("DUNBLOCK_RETENTION_DAYS", retention);
    requirePositive("DUNBLOCK_APPEAL_RETENTION_DAYS", appealRetention);
    requirePositive("DUNBLOCK_APPEAL_PENDING_DAYS", appealPending);
    adminKey.ifPresent(k -> {
      if (k.length() < MIN_ADMIN_KEY_LENGTH) {
        throw new ConfigException("DUNBLOCK_ADMIN_KEY", "must be at least " + MIN_ADMIN_KEY_LENGTH + " characters");
      }
    });
    if (redis.url().isPresent() && secret.isEmpty()) {
      throw new ConfigException("DUNBLOCK_SECRET", "is required with DUNBLOCK_REDIS_URL: every instance must share "
          + "it, and it must not be kept in Redis (generate one with: openssl rand -hex 32)");
    }
    secret.ifPresent(s -> {
      if (s.length() < 16) {
        throw new ConfigException("DUNBLOCK_SECRET", "must be at least 16 characters");
      }
    });
  }

  static void requirePositive(String variable, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new ConfigException(variable, "must be positive");
    }
  }

  /** DUNBLOCK_PUBLIC_HOSTS: comma-separated host names, in lower case. */
  static java.util.Set<String> hosts(String list) {
    java.util.Set<String> hosts = new java.util.TreeSet<>();
    for (String h : list.split(",")) {
      if (!h.isBlank()) {
        hosts.add(h.trim().toLowerCase(Locale.ROOT));
      }
    }
    return hosts;
  }

  /** Parses the configuration from environment variables; unknown DUNBLOCK_ variables are rejected. */
  public static DunblockConfig fromEnv(Map<String, String> env) {
    Env e = new Env(env);
    Builder b = builder()
        .host(e.string("DUNBLOCK_HOST", DEFAULT_HOST))
        .port(e.integer("DUNBLOCK_PORT", DEFAULT_PORT))
        .redisUrl(e.optional("DUNBLOCK_REDIS_URL").orElse(null))
        .dataDir(Path.of(e.string("DUNBLOCK_DATA_DIR", DEFAULT_DATA_DIR)))
        .embeddedRedisPort(e.integer("DUNBLOCK_EMBEDDED_REDIS_PORT", 0))
        .embeddedRedisFsync(e.string("DUNBLOCK_EMBEDDED_REDIS_FSYNC", DEFAULT_EMBEDDED_REDIS_FSYNC)
            .toLowerCase(Locale.ROOT))
        .defaultRegion(e.string("DUNBLOCK_DEFAULT_REGION", DEFAULT_REGION).toUpperCase(Locale.ROOT))
        .trustedProxies(e.list("DUNBLOCK_TRUSTED_PROXIES"))
        .secret(e.optional("DUNBLOCK_SECRET").orElse(null))
        .adminKey(e.optional("DUNBLOCK_ADMIN_KEY").orElse(null))
        .filterExpectedNumbers(e.longValue("DUNBLOCK_FILTER_EXPECTED_NUMBERS", DEFAULT_FILTER_EXPECTED_NUMBERS))
        .filterFpp(e.decimal("DUNBLOCK_FILTER_FPP", DEFAULT_FILTER_FPP))
        .filterRebuildInterval(Duration.ofMinutes(e.longValue("DUNBLOCK_FILTER_REBUILD_MINUTES",
            DEFAULT_FILTER_REBUILD_INTERVAL.toMinutes())))
        .filterStreamCatchUpMax(e.integer("DUNBLOCK_FILTER_STREAM_CATCHUP_MAX", DEFAULT_FILTER_STREAM_CATCHUP_MAX))
        .lookupTimeout(Duration.ofMillis(e.longValue("DUNBLOCK_LOOKUP_TIMEOUT_MS", DEFAULT_LOOKUP_TIMEOUT.toMillis())))
        .redisTimeout(Duration.ofMillis(e.longValue("DUNBLOCK_REDIS_TIMEOUT_MS", DEFAULT_REDIS_TIMEOUT.toMillis())))
        .maxBodyBytes(e.integer("DUNBLOCK_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES))
        .eventLoops(e.integer("DUNBLOCK_EVENT_LOOPS", Runtime.getRuntime().availableProcessors()))
        .idempotencyTtl(Duration.ofHours(e.longValue("DUNBLOCK_IDEMPOTENCY_TTL_HOURS", DEFAULT_IDEMPOTENCY_TTL.toHours())))
        .retention(Duration.ofDays(e.longValue("DUNBLOCK_RETENTION_DAYS", DEFAULT_RETENTION.toDays())))
        .metricsPublic(e.bool("DUNBLOCK_METRICS_PUBLIC", true))
        .publicHosts(hosts(e.optional("DUNBLOCK_PUBLIC_HOSTS").orElse("")))
        .scoring(ScoringPolicy.fromEnv(e))
        .patterns(PatternPolicy.fromEnv(e))
        .exportSigningKey(e.optional("DUNBLOCK_EXPORT_SIGNING_KEY").orElse(null))
        .exportTtl(Duration.ofHours(e.longValue("DUNBLOCK_EXPORT_TTL_HOURS", DEFAULT_EXPORT_TTL.toHours())))
        .appealsPerHour(e.integer("DUNBLOCK_APPEALS_PER_HOUR", DEFAULT_APPEALS_PER_HOUR))
        .appealRetention(Duration.ofDays(e.longValue("DUNBLOCK_APPEAL_RETENTION_DAYS",
            DEFAULT_APPEAL_RETENTION.toDays())))
        .appealPending(Duration.ofDays(e.longValue("DUNBLOCK_APPEAL_PENDING_DAYS", DEFAULT_APPEAL_PENDING.toDays())))
        .tokensPerNetworkPerDay(e.integer("DUNBLOCK_TOKENS_PER_NETWORK_PER_DAY", DEFAULT_TOKENS_PER_NETWORK_PER_DAY))
        .reportsPerReporterPerDay(e.integer("DUNBLOCK_REPORTS_PER_REPORTER_PER_DAY",
            DEFAULT_REPORTS_PER_REPORTER_PER_DAY))
        .reportsPerNetworkPerDay(e.integer("DUNBLOCK_REPORTS_PER_NETWORK_PER_DAY",
            DEFAULT_REPORTS_PER_NETWORK_PER_DAY))
        .idleTimeout(Duration.ofSeconds(e.longValue("DUNBLOCK_IDLE_TIMEOUT_SECONDS", DEFAULT_IDLE_TIMEOUT.toSeconds())))
        .requestTimeout(Duration.ofMillis(e.longValue("DUNBLOCK_REQUEST_TIMEOUT_MS", DEFAULT_REQUEST_TIMEOUT.toMillis())))
        .tlsCert(e.optional("DUNBLOCK_TLS_CERT").map(Path::of).orElse(null))
        .tlsKey(e.optional("DUNBLOCK_TLS_KEY").map(Path::of).orElse(null))
        .lookupsPerClientPerMinute(e.integer("DUNBLOCK_LOOKUPS_PER_CLIENT_PER_MINUTE",
            DEFAULT_LOOKUPS_PER_CLIENT_PER_MINUTE))
        .lookupTrackedClients(e.integer("DUNBLOCK_LOOKUP_TRACKED_CLIENTS", DEFAULT_LOOKUP_TRACKED_CLIENTS))
        .importMaxLines(e.integer("DUNBLOCK_IMPORT_MAX_LINES", DEFAULT_IMPORT_MAX_LINES))
        .accessLog(e.bool("DUNBLOCK_ACCESS_LOG", false))
        .cache(new CacheOptions(e.integer("DUNBLOCK_REPUTATION_CACHE_ENTRIES", CacheOptions.DEFAULT_MAX_ENTRIES),
            e.longValue("DUNBLOCK_REPUTATION_CACHE_MB", CacheOptions.DEFAULT_MAX_MB) * 1024 * 1024,
            Duration.ofMillis(e.longValue("DUNBLOCK_REPUTATION_CACHE_STALENESS_MS",
                CacheOptions.DEFAULT_MAX_STALENESS.toMillis()))));
    e.optional("DUNBLOCK_LOG_LEVEL"); // read by logback.xml
    e.rejectUnknown();
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder mutate() {
    return new Builder()
        .host(http.host()).port(http.port()).eventLoops(http.eventLoops()).maxBodyBytes(http.maxBodyBytes())
        .idleTimeout(http.idleTimeout()).requestTimeout(http.requestTimeout()).tlsCert(http.tlsCert().orElse(null))
        .tlsKey(http.tlsKey().orElse(null)).accessLog(http.accessLog()).metricsPublic(http.metricsPublic())
        .publicHosts(http.publicHosts())
        .redisUrl(redis.url().orElse(null)).dataDir(redis.dataDir()).embeddedRedisPort(redis.embeddedPort())
        .embeddedRedisFsync(redis.embeddedFsync()).redisTimeout(redis.timeout())
        .filterExpectedNumbers(filter.expectedNumbers()).filterFpp(filter.fpp())
        .filterRebuildInterval(filter.rebuildInterval()).filterStreamCatchUpMax(filter.streamCatchUpMax())
        .tokensPerNetworkPerDay(limits.tokensPerNetworkPerDay())
        .reportsPerReporterPerDay(limits.reportsPerReporterPerDay())
        .reportsPerNetworkPerDay(limits.reportsPerNetworkPerDay())
        .lookupsPerClientPerMinute(limits.lookupsPerClientPerMinute())
        .lookupTrackedClients(limits.lookupTrackedClients()).appealsPerHour(limits.appealsPerHour())
        .importMaxLines(limits.importMaxLines())
        .exportSigningKey(exports.signingKey().orElse(null)).exportTtl(exports.ttl())
        .scoring(scoring).patterns(patterns)
        .defaultRegion(defaultRegion).trustedProxies(trustedProxies)
        .secret(secret.orElse(null)).adminKey(adminKey.orElse(null))
        .lookupTimeout(lookupTimeout).idempotencyTtl(idempotencyTtl).retention(retention)
        .appealRetention(appealRetention).appealPending(appealPending).cache(cache);
  }

  /** A loggable description: never contains the secret, the admin key, the signing key or Redis credentials. */
  public String describe() {
    return "host=" + http.host() + " port=" + http.port()
        + " redis=" + redis.url().map(DunblockConfig::redactUrl)
            .orElse("embedded (data dir " + redis.dataDir() + ", appendfsync " + redis.embeddedFsync() + ")")
        + " region=" + defaultRegion + " trustedProxies=" + trustedProxies
        + " secret=" + (secret.isPresent() ? "from DUNBLOCK_SECRET" : "from " + redis.dataDir().resolve("secret"))
        + " adminKey=" + (adminKey.isPresent() ? "seeded from DUNBLOCK_ADMIN_KEY" : "none")
        + " filter=" + filter.expectedNumbers() + "@" + filter.fpp() + " rebuild=" + filter.rebuildInterval()
        + " streamCatchUpMax=" + filter.streamCatchUpMax()
        + " eventLoops=" + http.eventLoops() + " scoring=" + scoring + " patterns=" + patterns
        + " exportSigningKey=" + (exports.signingKey().isPresent() ? "from DUNBLOCK_EXPORT_SIGNING_KEY"
            : "generated and kept in Redis") + " exportTtl=" + exports.ttl()
        + " appealsPerHour=" + limits.appealsPerHour() + " appealRetention=" + appealRetention
        + " appealPending=" + appealPending
        + " tokensPerNetworkPerDay=" + limits.tokensPerNetworkPerDay()
        + " reportsPerReporterPerDay=" + limits.reportsPerReporterPerDay()
        + " reportsPerNetworkPerDay=" + limits.reportsPerNetworkPerDay()
        + " idleTimeout=" + http.idleTimeout() + " requestTimeout=" + http.requestTimeout()
        + " tls=" + (http.tlsCert().isPresent() ? http.tlsCert().get() : "off")
        + " lookupsPerClientPerMinute=" + limits.lookupsPerClientPerMinute()
        + " lookupTrackedClients=" + limits.lookupTrackedClients() + " importMaxLines=" + limits.importMaxLines()
        + " accessLog=" + http.accessLog()
        + " reputationCache=" + (cache.enabled() ? cache.maxEntries() + " entries/" + cache.maxBytes() / (1024 * 1024)
            + " MB, staleness <= " + cache.maxStaleness().toMillis() + " ms" : "off");
  }

  /** The same as {@link #describe()}: a record's own toString would print the secret and keys if ever logged. */
  @Override
  public String toString() {
    return "DunblockConfig[" + describe() + "]";
  }

  static String redactUrl(String url) {
    return RedisOptions.redact(url);
  }

  /** Builder for {@link DunblockConfig}; starts from the documented defaults. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private String redisUrl;
    private Path dataDir = Path.of(DEFAULT_DATA_DIR);
    private int embeddedRedisPort;
    private String embeddedRedisFsync = DEFAULT_EMBEDDED_REDIS_FSYNC;
    private String defaultRegion = DEFAULT_REGION;
    private List<String> trustedProxies = List.of();
    private String secret;
    private String adminKey;
    private long filterExpectedNumbers = DEFAULT_FILTER_EXPECTED_NUMBERS;
    private double filterFpp = DEFAULT_FILTER_FPP;
    private Duration filterRebuildInterval = DEFAULT_FILTER_REBUILD_INTERVAL;
    private int filterStreamCatchUpMax = DEFAULT_FILTER_STREAM_CATCHUP_MAX;
    private Duration lookupTimeout = DEFAULT_LOOKUP_TIMEOUT;
    private Duration redisTimeout = DEFAULT_REDIS_TIMEOUT;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private int eventLoops = Runtime.getRuntime().availableProcessors();
    private Duration idempotencyTtl = DEFAULT_IDEMPOTENCY_TTL;
    private Duration retention = DEFAULT_RETENTION;
    private boolean metricsPublic = true;
    private java.util.Set<String> publicHosts = java.util.Set.of();
    private ScoringPolicy scoring = ScoringPolicy.defaults();
    private PatternPolicy patterns = PatternPolicy.defaults();
    private String exportSigningKey;
    private Duration exportTtl = DEFAULT_EXPORT_TTL;
    private int appealsPerHour = DEFAULT_APPEALS_PER_HOUR;
    private int tokensPerNetworkPerDay = DEFAULT_TOKENS_PER_NETWORK_PER_DAY;
    private int reportsPerReporterPerDay = DEFAULT_REPORTS_PER_REPORTER_PER_DAY;
    private int reportsPerNetworkPerDay = DEFAULT_REPORTS_PER_NETWORK_PER_DAY;
    private Duration appealRetention = DEFAULT_APPEAL_RETENTION;
    private Duration appealPending = DEFAULT_APPEAL_PENDING;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Path tlsCert;
    private Path tlsKey;
    private int lookupsPerClientPerMinute = DEFAULT_LOOKUPS_PER_CLIENT_PER_MINUTE;
    private int lookupTrackedClients = DEFAULT_LOOKUP_TRACKED_CLIENTS;
    private int importMaxLines = DEFAULT_IMPORT_MAX_LINES;
    private boolean accessLog;
    private CacheOptions cache = CacheOptions.defaults();

    public Builder host(String v) { host = v; return this; }
    public Builder port(int v) { port = v; return this; }
    public Builder redisUrl(String v) { redisUrl = v; return this; }
    public Builder dataDir(Path v) { dataDir = v; return this; }
    public Builder embeddedRedisPort(int v) { embeddedRedisPort = v; return this; }
    public Builder embeddedRedisFsync(String v) { embeddedRedisFsync = v; return this; }
    public Builder defaultRegion(String v) { defaultRegion = v; return this; }
    public Builder trustedProxies(List<String> v) { trustedProxies = new ArrayList<>(v); return this; }
    public Builder secret(String v) { secret = v; return this; }
    public Builder adminKey(String v) { adminKey = v; return this; }
    public Builder filterExpectedNumbers(long v) { filterExpectedNumbers = v; return this; }
    public Builder filterFpp(double v) { filterFpp = v; return this; }
    public Builder filterRebuildInterval(Duration v) { filterRebuildInterval = v; return this; }
    public Builder filterStreamCatchUpMax(int v) { filterStreamCatchUpMax = v; return this; }
    public Builder lookupTimeout(Duration v) { lookupTimeout = v; return this; }
    public Builder redisTimeout(Duration v) { redisTimeout = v; return this; }
    public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }
    public Builder eventLoops(int v) { eventLoops = v; return this; }
    public Builder idempotencyTtl(Duration v) { idempotencyTtl = v; return this; }
    public Builder retention(Duration v) { retention = v; return this; }
    public Builder metricsPublic(boolean v) { metricsPublic = v; return this; }
    public Builder publicHosts(java.util.Set<String> v) { publicHosts = v; return this; }
    public Builder scoring(ScoringPolicy v) { scoring = v; return this; }
    public Builder patterns(PatternPolicy v) { patterns = v; return this; }
    public Builder exportSigningKey(String v) { exportSigningKey = v; return this; }
    public Builder exportTtl(Duration v) { exportTtl = v; return this; }
    public Builder appealsPerHour(int v) { appealsPerHour = v; return this; }
    public Builder tokensPerNetworkPerDay(int v) { tokensPerNetworkPerDay = v; return this; }
    public Builder reportsPerReporterPerDay(int v) { reportsPerReporterPerDay = v; return this; }
    public Builder reportsPerNetworkPerDay(int v) { reportsPerNetworkPerDay = v; return this; }
    public Builder appealRetention(Duration v) { appealRetention = v; return this; }
    public Builder appealPending(Duration v) { appealPending = v; return this; }
    public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }
    public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
    public Builder tlsCert(Path v) { tlsCert = v; return this; }
    public Builder tlsKey(Path v) { tlsKey = v; return this; }
    public Builder lookupsPerClientPerMinute(int v) { lookupsPerClientPerMinute = v; return this; }
    public Builder lookupTrackedClients(int v) { lookupTrackedClients = v; return this; }
    public Builder importMaxLines(int v) { importMaxLines = v; return this; }
    public Builder accessLog(boolean v) { accessLog = v; return this; }
    public Builder cache(CacheOptions v) { cache = v; return this; }

    public DunblockConfig build() {
      return new DunblockConfig(
          new HttpOptions(host, port, eventLoops, maxBodyBytes, idleTimeout, requestTimeout,
              Optional.ofNullable(tlsCert), Optional.ofNullable(tlsKey), accessLog, metricsPublic, publicHosts),
          new RedisOptions(Optional.ofNullable(redisUrl).filter(s -> !s.isBlank()), dataDir, embeddedRedisPort,
              embeddedRedisFsync, redisTimeout),
          new FilterOptions(filterExpectedNumbers, filterFpp, filterRebuildInterval, filterStreamCatchUpMax),
          new LimitOptions(tokensPerNetworkPerDay, reportsPerReporterPerDay, reportsPerNetworkPerDay,
              lookupsPerClientPerMinute, appealsPerHour, lookupTrackedClients, importMaxLines),
          new ExportOptions(Optional.ofNullable(exportSigningKey).filter(s -> !s.isBlank()), exportTtl),
          scoring, patterns, defaultRegion, trustedProxies,
          Optional.ofNullable(secret).filter(s -> !s.isBlank()),
          Optional.ofNullable(adminKey).filter(s -> !s.isBlank()),
          lookupTimeout, idempotencyTtl, retention, appealRetention, appealPending, cache);
    }
  }
}
