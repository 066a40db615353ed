package org.dunblock.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Route;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.config.HttpOptions;
import org.dunblock.server.config.RedisOptions;
import org.dunblock.server.appeal.AppealApi;
import org.dunblock.server.audit.AuditApi;
import org.dunblock.server.dashboard.DashboardStats;
import org.dunblock.server.dashboard.StatsApi;
import org.dunblock.server.evidence.EvidenceApi;
import org.dunblock.server.export.ExportApi;
import org.dunblock.server.feed.FilterFeed;
import org.dunblock.server.feed.FilterFeedApi;
import org.dunblock.server.imports.ImportApi;
import org.dunblock.server.lookup.LookupApi;
import org.dunblock.server.ops.OpsApi;
import org.dunblock.server.override.OverrideApi;
import org.dunblock.server.report.ReportApi;
import org.dunblock.server.report.ReportService;
import org.dunblock.server.report.ReportStore;
import org.dunblock.server.reporter.ReporterApi;
import org.dunblock.server.web.WebPages;
import org.dunblock.server.dashboard.LookupRates;
import org.dunblock.server.export.ExportSigningKey;
import org.dunblock.server.export.ExportStore;
import org.dunblock.server.evidence.EvidenceStore;
import org.dunblock.server.evidence.RegionZones;
import org.dunblock.server.filter.FilterFollowerVerticle;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.feed.FilterFeed;
import org.dunblock.server.http.ApiVerticle;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.http.CrossSiteGuard;
import org.dunblock.server.keys.ApiKey;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.lookup.LookupLimiter;
import org.dunblock.server.lookup.ReputationService;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.ops.RouteMetricsFactory;
import org.dunblock.server.ops.ServerMetrics;
import org.dunblock.server.override.OverrideStore;
import org.dunblock.server.report.PatternUpdates;
import org.dunblock.server.protect.Protection;
import org.dunblock.server.protect.ShortNumbers;
import org.dunblock.server.protect.VerifiedCallerStore;
import org.dunblock.server.protect.VerifiedCallerApi;
import org.dunblock.server.protect.VerifiedCallers;
import org.dunblock.server.audit.AuditLog;
import org.dunblock.server.appeal.AppealStore;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.reporter.ServerSecret;
import org.dunblock.server.reputation.ReporterTrust;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.store.EmbeddedRedis;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.RateLimiter;
import org.dunblock.server.store.RecordCache;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Dunblock instance: (embedded) Redis, the Vert.x instance, the filter follower and the HTTP verticles.
 * Used by {@link Main} and by the tests, which start several against one Redis.
 */
public final class DunblockServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DunblockServer.class);

  private final DunblockConfig config;
  private final EmbeddedRedis embedded;
  private final Vertx vertx;
  private final ReputationStore store;
  private final ApiRoutes routes;
  private final NumberFilter filter;
  private final ReporterTokens tokens;
  private final Protection protection;
  private final int port;
  private volatile boolean closed;

  private DunblockServer(DunblockConfig config, EmbeddedRedis embedded, Vertx vertx, ReputationStore store,
      ApiRoutes routes, NumberFilter filter, ReporterTokens tokens, Protection protection, int port) {
    this.config = config;
    this.embedded = embedded;
    this.vertx = vertx;
    this.store = store;
    this.routes = routes;
    this.filter = filter;
    this.tokens = tokens;
    this.protection = protection;
    this.port = port;
  }

  /** Starts everything and returns once the HTTP port listens (the filter may still be loading). Blocking. */
  public static DunblockServer start(DunblockConfig config, Clock clock) {
    RedisOptions redis = config.redis();
    EmbeddedRedis embedded = redis.embedded()
        ? EmbeddedRedis.start(redis.dataDir(), redis.embeddedPort(), redis.embeddedFsync())
        : null;
    Vertx vertx = null;
    ReputationStore store = null;
    try {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      vertx = vertx(config.http(), registry);
      String url = redis.url().orElseGet(() -> embedded.url());
      store = ReputationStore.connect(vertx, redis.timeout(), url);
      store.instrument(registry);
      // Tokens carry their mint time (under the HMAC), so every instance knows a reporter's age without storing it.
      ReporterTokens tokens = new ReporterTokens(ServerSecret.resolve(config.secret(), redis.dataDir()), clock);
      store.checkSecret(tokens.keyed("secret-fingerprint"));
      if (config.adminKey().isPresent()) {
        ApiKey seeded = new KeyRegistry(store.syncCommands(), clock).seedAdmin(config.adminKey().get());
        LOG.info("Admin key {} seeded from DUNBLOCK_ADMIN_KEY", seeded.id());
      }
      NumberFilter filter = new NumberFilter(config.filter().expectedNumbers(), config.filter().fpp());
      Wiring wired = wire(config, clock, vertx, store, registry, tokens, filter);
      ApiRoutes routes = wired.routes();
      ServerMetrics.bind(registry, filter, vertx);

      List<ApiVerticle> apis = new CopyOnWriteArrayList<>();
      Vertx v = vertx;
      Future<?> deployed = vertx.deployVerticle(new FilterFollowerVerticle(config.filter(), redis.timeout(),
              config.retention(), config.scoring().maxClockSkew(), store, filter, clock))
          .compose(id -> v.deployVerticle(() -> {
            ApiVerticle verticle = new ApiVerticle(config.http(), routes::handler, Set.of(ImportApi.PATH));
            apis.add(verticle);
            return verticle;
          }, new DeploymentOptions().setInstances(config.http().eventLoops())));
      deployed.await(30, TimeUnit.SECONDS);
      int port = sharedPort(apis);
      LOG.info("Dunblock listening on {}:{}", config.http().host(), port);
      return new DunblockServer(config, embedded, vertx, store, routes, filter, tokens, wired.protection(), port);
    } catch (Exception e) {
      if (vertx != null) {
        vertx.close();
      }
      if (store != null) {
        store.close();
      }
      if (embedded != null) {
        embedded.close();
      }
      throw e instanceof RuntimeException re ? re : new IllegalStateException("Dunblock failed to start", e);
    }
  }

  /**
   * The object graph behind the routes, built explicitly: each part gets what it uses through its constructor.
   * Parts that load Lua scripts block while they do, so this runs before any verticle is deployed.
   */
  /** What start needs back from the graph: the routes to serve, and what tests look into. */
  private record Wiring(ApiRoutes routes, Protection protection) {
  }

  private static Wiring wire(DunblockConfig config, Clock clock, Vertx vertx, ReputationStore store,
      PrometheusMeterRegistry registry, ReporterTokens tokens, NumberFilter filter) {
    PhoneNumberNormalizer normalizer = new PhoneNumberNormalizer(config.defaultRegion());
    ClientAddress clientAddress = new ClientAddress(config.trustedProxies());
    ApiKeyAuth apiKeys = new ApiKeyAuth(store);
    // Protected numbers (DESIGN.md rule 9): the calculator caps them; the register's copy follows Redis.
    VerifiedCallers register = new VerifiedCallers();
    Protection protection = new Protection(new ShortNumbers(), register);
    VerifiedCallerStore verifiedCallers = new VerifiedCallerStore(store, register, filter);
    verifiedCallers.start(vertx, config.filter().rebuildInterval());
    ReputationCalculator calculator = new ReputationCalculator(config.scoring(), config.patterns(),
        config.retention(), protection);
    RecordCache cache = null;
    if (config.cache().enabled()) {
      // The near cache of listed numbers' records: Redis pushes which keys changed (CLIENT TRACKING, BCAST), this
      // instance's own scripts drop what they name as they complete, and nothing is served past the staleness bound.
      RecordCache records = new RecordCache(config.cache(), key -> store.call(redis -> redis.hgetall(key)), registry);
      store.onScriptWrites(records::invalidated);
      records.follow(store.invalidations(KeySchema.cachedPrefixes(), config.cache().maxStaleness(), records));
      cache = records;
    }
    ReputationService reputations = new ReputationService(filter, store, cache, calculator, clock,
        config.lookupTimeout(), registry);
    RateLimiter limiter = new RateLimiter(store);
    // Maturity (the scoring policy) and the network's daily report budget are admission's.
    ReporterTrust trust = new ReporterTrust(store, limiter, config.retention(), config.scoring(),
        config.limits().reportsPerNetworkPerDay());
    EvidenceStore evidence = new EvidenceStore(store, new RegionZones(), config.retention(), registry);
    // Emergency numbers answer ALLOW whatever the crowd says: app filter feeds leave them out (docs/trust.md).
    java.util.function.Predicate<String> neverForApps =
        number -> protection.kind(number) == org.dunblock.server.reputation.ProtectionKind.EMERGENCY;
    OverrideStore overrides = new OverrideStore(store, config.retention(), trust, neverForApps);
    ReportStore reportStore = new ReportStore(store, config.scoring(), config.patterns(), config.idempotencyTtl(),
        config.retention(), neverForApps);
    ReportService reports = new ReportService(reportStore, trust,
        new PatternUpdates(store, filter, calculator, config.patterns(), registry, trust,
            config.scoring().blockMinNetworks()),
        evidence, filter, tokens, config.limits().reportsPerReporterPerDay(), config.redis().timeout(), registry);
    AuditLog audit = new AuditLog(store);
    LookupLimiter lookupLimiter = new LookupLimiter(store, tokens, clientAddress, clock,
        config.limits().lookupsPerClientPerMinute(), config.limits().lookupTrackedClients(), registry);
    lookupLimiter.start(vertx);
    LookupRates lookupRates = new LookupRates(registry, clock.millis());
    vertx.setPeriodic(LookupRates.SAMPLE_MS, id -> lookupRates.sample(clock.millis()));
    ExportSigningKey exportKey = ExportSigningKey.load(config.exports().signingKey(),
        config.redis().embedded() ? config.redis().dataDir() : null, store.syncCommands());

    ApiRoutes.Handlers handlers = new ApiRoutes.Handlers(
        new LookupApi(normalizer, reputations, lookupLimiter, filter),
        new ReportApi(normalizer, tokens, clientAddress, reports, clock, config.scoring()),
        new ReporterApi(tokens, clientAddress, limiter, config.limits().tokensPerNetworkPerDay()),
        new FilterFeedApi(new FilterFeed(vertx, store, clock, config.retention(), config.filter().rebuildInterval(),
            neverForApps),
            config.filter().streamCatchUpMax()),
        new OverrideApi(normalizer, overrides, filter, clock),
        new AuditApi(audit),
        new ExportApi(new ExportStore(store, config.exports().ttl()), exportKey, calculator, filter, clock),
        new EvidenceApi(normalizer, evidence, reputations, clock),
        new StatsApi(new DashboardStats(store, calculator), lookupRates, clock),
        new AppealApi(normalizer, tokens, clientAddress,
            new AppealStore(store, config.limits().appealsPerHour(), config.appealRetention(),
                config.appealPending()), reputations, overrides,
            filter, audit, clock),
        new ImportApi(normalizer, reportStore, audit, filter, clock, apiKeys, config.limits().importMaxLines()),
        new OpsApi(filter, store),
        new WebPages(),
        new VerifiedCallerApi(normalizer, verifiedCallers, protection, clock));
    return new Wiring(new ApiRoutes(handlers, apiKeys, config.http().maxBodyBytes(),
        config.http().accessLog(), config.http().metricsPublic() ? registry : null,
        new CrossSiteGuard(config.http().publicHosts())), protection);
  }

  /**
   * The one port every API verticle listens on. Each instance runs on its own event loop and takes the connections
   * accepted on the shared port; instances on ports of their own (what port 0 did) would leave every event loop but
   * the first idle, however busy the server.
   */
  private static int sharedPort(List<ApiVerticle> apis) {
    Set<Integer> ports = apis.stream().map(ApiVerticle::actualPort).collect(Collectors.toSet());
    if (ports.size() != 1) {
      throw new IllegalStateException("The API verticles listen on different ports " + ports + ", not one shared");
    }
    return ports.iterator().next();
  }

  /**
   * Vert.x as the server runs it: its event loops and its metrics into {@code registry}. Public for the benchmark's
   * configured bare server, which must pay the same per-request framework costs.
   */
  public static Vertx vertx(HttpOptions http, PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions()
            .setEventLoopPoolSize(http.eventLoops())
            .setMetricsOptions(new MicrometerMetricsOptions()
                .setEnabled(true)
                .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true).setPublishQuantiles(true))))
        // HTTP server requests per route template (never the raw path, which holds numbers) by our own cheaper
        // meters; everything else by Vert.x's.
        .withMetrics(new RouteMetricsFactory(registry))
        .build();
  }

  public int port() {
    return port;
  }

  /** The instance's Vert.x (tests build their HTTP clients on it). */
  public Vertx vertx() {
    return vertx;
  }

  /** This instance's in-memory filter (tests watch it follow the change streams). */
  public NumberFilter filter() {
    return filter;
  }

  /** The keyed hashes this instance stores instead of identities (privacy tests look for them in Redis). */
  public ReporterTokens tokens() {
    return tokens;
  }

  /** This instance's classification of protected numbers, with its copy of the register of verified callers. */
  public Protection protection() {
    return protection;
  }

  /** The API's routes, as the router sees them (for the OpenAPI consistency test). */
  public List<Route> routes() {
    return routes.router(vertx).getRoutes();
  }

  /** The Redis URL this instance uses (the embedded server's when none was configured). */
  public String redisUrl() {
    return config.redis().url().orElseGet(() -> embedded.url());
  }

  /** Graceful stop: stop accepting, finish in-flight requests, close Redis, stop the embedded server. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      vertx.close().await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Vert.x did not close cleanly", e);
    }
    store.close();
    if (embedded != null) {
      embedded.close();
    }
    LOG.info("Dunblock stopped");
  }
}
