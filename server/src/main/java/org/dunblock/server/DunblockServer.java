package org.dunblock.server;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.dashboard.LookupRates;
import org.dunblock.server.export.ExportSigningKey;
import org.dunblock.server.export.ExportStore;
import org.dunblock.server.evidence.EvidenceStore;
import org.dunblock.server.evidence.RegionZones;
import org.dunblock.server.filter.FilterSyncVerticle;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.filtersync.FilterFeed;
import org.dunblock.server.http.ApiRouter;
import org.dunblock.server.http.ApiVerticle;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.keys.ApiKey;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.lookup.LookupLimiter;
import org.dunblock.server.lookup.ReputationService;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.ops.RouteMetricsFactory;
import org.dunblock.server.ops.ServerMetrics;
import org.dunblock.server.override.OverrideStore;
import org.dunblock.server.pattern.Patterns;
import org.dunblock.server.audit.AuditLog;
import org.dunblock.server.appeal.AppealStore;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.reporter.ServerSecret;
import org.dunblock.server.reputation.ReporterTrust;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.store.EmbeddedRedis;
import org.dunblock.server.store.RateLimiter;
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
  private final Services services;
  private final int port;
  private volatile boolean closed;

  private DunblockServer(DunblockConfig config, EmbeddedRedis embedded, Vertx vertx, ReputationStore store,
      Services services, int port) {
    this.config = config;
    this.embedded = embedded;
    this.vertx = vertx;
    this.store = store;
    this.services = services;
    this.port = port;
  }

  /** Starts everything and returns once the HTTP port listens (the filter may still be loading). Blocking. */
  public static DunblockServer start(DunblockConfig config, Clock clock) {
    EmbeddedRedis embedded = config.redisUrl().isEmpty()
        ? EmbeddedRedis.start(config.dataDir(), config.embeddedRedisPort(), config.embeddedRedisFsync())
        : null;
    Vertx vertx = null;
    ReputationStore store = null;
    try {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      vertx = vertx(config, registry);
      String url = config.redisUrl().orElseGet(() -> embedded.url());
      store = ReputationStore.connect(vertx, config, url);
      store.instrument(registry);
      ReporterTokens tokens = new ReporterTokens(ServerSecret.resolve(config), clock); // trust-weights: mint times
      store.checkSecret(tokens.keyed("secret-fingerprint"));
      if (config.adminKey().isPresent()) {
        ApiKey seeded = new KeyRegistry(store.syncCommands(), clock).seedAdmin(config.adminKey().get());
        LOG.info("Admin key {} seeded from DUNBLOCK_ADMIN_KEY", seeded.id());
      }
      NumberFilter filter = new NumberFilter(config.filterExpectedNumbers(), config.filterFpp());
      ReputationCalculator calculator = new ReputationCalculator(config.scoring(), config.patterns(),
          config.retention());
      ReputationService reputations = new ReputationService(filter, store, calculator, clock, config.lookupTimeout(),
          registry);
      RateLimiter limiter = new RateLimiter(store);
      // trust-weights: maturity (scoring policy) and the per-network report budget are admission's.
      ReporterTrust trust = new ReporterTrust(store, limiter, config.retention(), config.scoring(),
          config.reportsPerNetworkPerDay());
      ClientAddress clientAddress = new ClientAddress(config.trustedProxies());
      Services services = new Services(config, clock, new PhoneNumberNormalizer(config.defaultRegion()), store,
          filter, reputations, calculator, tokens, clientAddress, registry,
          new ApiKeyAuth(store),
          new OverrideStore(store, config.retention(), trust), new AuditLog(store),
          new FilterFeed(vertx, store, clock, config.retention(), config.filterRebuildInterval()),
          new ExportStore(store, config.exportTtl()),
          ExportSigningKey.load(config.exportSigningKey(),
              config.redisUrl().isEmpty() ? config.dataDir() : null, store.syncCommands()),
          new EvidenceStore(store, new RegionZones(), config.retention(), registry),
          new Patterns(store, filter, calculator, config.patterns(), registry, trust,
              config.scoring().blockMinNetworks()),
          new AppealStore(store, config.appealsPerHour(), config.appealRetention()),
          limiter, trust,
          new LookupLimiter(store, tokens, clientAddress, clock, config.lookupsPerClientPerMinute(), registry),
          new LookupRates(registry, clock.millis()));
      services.lookupLimiter().start(vertx);
      ServerMetrics.bind(registry, filter, vertx);
      vertx.setPeriodic(LookupRates.SAMPLE_MS, id -> services.lookupRates().sample(clock.millis()));

      List<ApiVerticle> apis = new CopyOnWriteArrayList<>();
      Vertx v = vertx;
      ReputationStore s = store;
      Future<?> deployed = vertx.deployVerticle(new FilterSyncVerticle(config, s, filter, clock))
          .compose(id -> v.deployVerticle(() -> {
            ApiVerticle verticle = new ApiVerticle(services);
            apis.add(verticle);
            return verticle;
          }, new DeploymentOptions().setInstances(config.eventLoops())));
      deployed.await(30, TimeUnit.SECONDS);
      int port = sharedPort(apis);
      LOG.info("Dunblock listening on {}:{}", config.host(), port);
      return new DunblockServer(config, embedded, vertx, store, services, port);
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
  public static Vertx vertx(DunblockConfig config, PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions()
            .setEventLoopPoolSize(config.eventLoops())
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

  public Services services() {
    return services;
  }

  /** The API's routes, as the router sees them (for the OpenAPI consistency test). */
  public List<Route> routes() {
    Router router = ApiRouter.create(vertx, services);
    return router.getRoutes();
  }

  /** The Redis URL this instance uses (the embedded server's when none was configured). */
  public String redisUrl() {
    return config.redisUrl().orElseGet(() -> embedded.url());
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
