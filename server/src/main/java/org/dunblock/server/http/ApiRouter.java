package org.dunblock.server.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.dunblock.server.Services;
import org.dunblock.server.appeal.AppealApi;
import org.dunblock.server.dashboard.DashboardStats;
import org.dunblock.server.dashboard.StatsApi;
import org.dunblock.server.audit.AuditApi;
import org.dunblock.server.export.ExportApi;
import org.dunblock.server.evidence.EvidenceApi;
import org.dunblock.server.imports.ImportApi;
import org.dunblock.server.keys.Role;
import org.dunblock.server.override.OverrideApi;
import org.dunblock.server.filtersync.FilterFeedApi;
import org.dunblock.server.lookup.LookupApi;
import org.dunblock.server.ops.OpsApi;
import org.dunblock.server.protect.VerifiedCallerApi;
import org.dunblock.server.report.ReportApi;
import org.dunblock.server.reporter.ReporterApi;
import org.dunblock.server.web.WebPages;

/** Every route of the v1 API in one place; openapi.yaml is checked against {@link Router#getRoutes()}. */
public final class ApiRouter {
  private ApiRouter() {
  }

  /** The server's request handler: the single lookup answered at once ({@link LookupDispatch}), the rest routed. */
  public static Handler<HttpServerRequest> handler(Vertx vertx, Services services) {
    LookupApi lookups = lookups(services);
    return new LookupDispatch(lookups, services.config().accessLog(), create(vertx, services, lookups));
  }

  public static Router create(Vertx vertx, Services services) {
    return create(vertx, services, lookups(services));
  }

  private static LookupApi lookups(Services services) {
    return new LookupApi(services.normalizer(), services.reputations(), services.lookupLimiter());
  }

  private static Router create(Vertx vertx, Services services, LookupApi lookups) {
    ReportApi reports = new ReportApi(services.config(), services.normalizer(), services.tokens(),
        services.clientAddress(), services.store(), services.filter(), services.clock(), services.registry(),
        services.evidence(), services.trust(), services.patterns());
    ReporterApi reporters = new ReporterApi(services.tokens(), services.clientAddress(), services.limiter(),
        services.config().tokensPerNetworkPerDay());
    OpsApi ops = new OpsApi(services.filter(), services.store());
    FilterFeedApi filterFeed = new FilterFeedApi(services.filterFeed());
    BodyHandler body = BodyHandler.create(false).setBodyLimit(services.config().maxBodyBytes());

    Router router = Router.router(vertx);
    router.route().handler(RequestIds::assign);
    if (services.config().accessLog()) {
      router.route().handler(AccessLog::log);
    }

    router.get(LookupDispatch.ROUTE).handler(lookups::lookup);
    router.post("/v1/numbers/lookup").handler(body).handler(lookups::batch);
    router.post("/v1/reporters").handler(reporters::create);
    router.post("/v1/reports").handler(body).handler(reports::report);
    router.get("/v1/filter").handler(filterFeed::snapshot);
    router.get("/v1/filter/changes").handler(filterFeed::changes);
    router.get("/v1/filter/stream").handler(filterFeed::stream);

    OverrideApi overrides = new OverrideApi(services.normalizer(), services.overrides(), services.filter(),
        services.clock());
    AuditApi audit = new AuditApi(services.audit());
    Handler<RoutingContext> admin = services.apiKeys().require(Role.ADMIN);
    router.put("/v1/admin/overrides/:number").handler(body).handler(admin).handler(overrides::put);
    router.delete("/v1/admin/overrides/:number").handler(admin).handler(overrides::delete);
    router.put("/v1/admin/overrides/prefixes/:prefix").handler(body).handler(admin).handler(overrides::putPrefix);
    router.delete("/v1/admin/overrides/prefixes/:prefix").handler(admin).handler(overrides::deletePrefix);
    router.get("/v1/admin/audit").handler(admin).handler(audit::list);

    ExportApi exports = new ExportApi(services.exports(), services.exportKey(),
        services.calculator(), services.clock());
    Handler<RoutingContext> operator = services.apiKeys().require(Role.OPERATOR);
    router.get("/v1/export").handler(operator).handler(exports::export);
    router.get("/v1/export/:version/signature").handler(operator).handler(exports::signature);
    router.get("/.well-known/dunblock-export-key").handler(exports::publicKey);
    EvidenceApi evidence = new EvidenceApi(services.normalizer(), services.evidence(), services.reputations(),
        services.clock());
    router.get("/v1/evidence/numbers/:number").handler(operator)
        .handler(evidence::number);
    router.get("/v1/evidence/platforms/:platform").handler(operator)
        .handler(evidence::platform);
    router.get("/v1/numbers/:number/history").handler(evidence::history);
    StatsApi stats = new StatsApi(new DashboardStats(services.store(), services.calculator()),
        services.lookupRates(), services.clock());
    router.get("/v1/admin/stats").handler(operator).handler(stats::stats);
    AppealApi appeals = new AppealApi(services.normalizer(), services.tokens(), services.clientAddress(),
        services.appeals(), services.reputations(), services.overrides(), services.filter(), services.store(),
        services.clock());
    ImportApi imports = new ImportApi(services.normalizer(), services.store(), services.filter(), services.clock());
    router.post("/v1/appeals").handler(body).handler(appeals::file);
    router.get("/v1/admin/appeals").handler(operator).handler(appeals::list);
    router.post("/v1/admin/appeals/:id/decision").handler(body).handler(operator).handler(appeals::decide);
    // No BodyHandler: the list is streamed line by line (ImportRun), whatever its size.
    router.post(ImportApi.PATH).handler(ImportApi::holdBody).handler(operator).handler(imports::importList);
    // The register of verified callers (protect/, DESIGN.md rule 9): admin only, every change audited.
    VerifiedCallerApi verified = new VerifiedCallerApi(services.normalizer(), services.verifiedCallers(),
        services.protection(), services.clock());
    router.get(VerifiedCallerApi.PATH).handler(admin).handler(verified::list);
    router.post(VerifiedCallerApi.PATH + "/import")
        .handler(BodyHandler.create(false).setBodyLimit(VerifiedCallerApi.MAX_IMPORT_BYTES)).handler(admin)
        .handler(verified::importList);
    router.put(VerifiedCallerApi.PATH + "/:number").handler(body).handler(admin).handler(verified::put);
    router.delete(VerifiedCallerApi.PATH + "/:number").handler(admin).handler(verified::delete);

    router.get("/health").handler(ops::health);
    router.get("/ready").handler(ops::ready);
    if (services.config().metricsPublic()) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create((PrometheusMeterRegistry) services.registry()));
    }
    router.get("/openapi.yaml").handler(ops::openApi);

    WebPages web = new WebPages();
    router.get("/").handler(web.page("index.html"));
    router.get("/report").handler(web.page("report.html"));
    router.get("/appeal").handler(web.page("appeal.html"));
    router.get("/dashboard").handler(web.page("dashboard.html"));
    router.get("/static/:file").handler(web::asset);

    router.route().failureHandler(ErrorHandler::handle);
    router.errorHandler(400, ErrorHandler::badRequest);
    router.errorHandler(404, ErrorHandler::handle);
    router.errorHandler(405, ErrorHandler::handle);
    router.errorHandler(500, ErrorHandler::handle);
    return router;
  }
}
