package org.dunblock.server;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import org.dunblock.server.appeal.AppealApi;
import org.dunblock.server.audit.AuditApi;
import org.dunblock.server.dashboard.StatsApi;
import org.dunblock.server.evidence.EvidenceApi;
import org.dunblock.server.export.ExportApi;
import org.dunblock.server.feed.FilterFeedApi;
import org.dunblock.server.http.AccessLog;
import org.dunblock.server.http.CrossSiteGuard;
import org.dunblock.server.http.ErrorHandler;
import org.dunblock.server.http.JsonBodies;
import org.dunblock.server.http.RequestIds;
import org.dunblock.server.imports.ImportApi;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.keys.Role;
import org.dunblock.server.lookup.LookupApi;
import org.dunblock.server.lookup.LookupDispatch;
import org.dunblock.server.ops.OpsApi;
import org.dunblock.server.override.OverrideApi;
import org.dunblock.server.protect.VerifiedCallerApi;
import org.dunblock.server.report.ReportApi;
import org.dunblock.server.reporter.ReporterApi;
import org.dunblock.server.web.WebPages;

/**
 * Every route of the v1 API in one place, with who may call it; openapi.yaml is checked against
 * {@link Router#getRoutes()}. The handlers are built once by {@link DunblockServer} and shared by every event loop's
 * router (they keep no per-request state).
 */
public final class ApiRoutes {
  /** The handler objects the table routes to, one per feature. */
  public record Handlers(
      LookupApi lookups,
      ReportApi reports,
      ReporterApi reporters,
      FilterFeedApi filterFeed,
      OverrideApi overrides,
      AuditApi audit,
      ExportApi exports,
      EvidenceApi evidence,
      StatsApi stats,
      AppealApi appeals,
      ImportApi imports,
      OpsApi ops,
      WebPages web,
      VerifiedCallerApi verifiedCallers) {
  }

  private final Handlers h;
  private final ApiKeyAuth apiKeys;
  private final long maxBodyBytes;
  private final boolean accessLog;
  private final PrometheusMeterRegistry publicMetrics;

  /**
   * @param publicMetrics the registry {@code /metrics} serves, or null when metrics are not public
   */
  public ApiRoutes(Handlers handlers, ApiKeyAuth apiKeys, long maxBodyBytes, boolean accessLog,
      PrometheusMeterRegistry publicMetrics, CrossSiteGuard crossSite) {
    this.crossSite = crossSite;
    this.h = handlers;
    this.apiKeys = apiKeys;
    this.maxBodyBytes = maxBodyBytes;
    this.accessLog = accessLog;
    this.publicMetrics = publicMetrics;
  }

  /** The server's request handler: the single lookup answered at once ({@link LookupDispatch}), the rest routed. */
  public Handler<HttpServerRequest> handler(Vertx vertx) {
    return new LookupDispatch(h.lookups(), accessLog, router(vertx));
  }

  private final CrossSiteGuard crossSite;

  public Router router(Vertx vertx) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodyBytes);
    Handler<RoutingContext> admin = apiKeys.require(Role.ADMIN);
    Handler<RoutingContext> operator = apiKeys.require(Role.OPERATOR);

    // Before any body is read: a JSON body must say so (no simple cross-site request reaches a JSON endpoint).
    Handler<RoutingContext> json = JsonBodies.requireJsonType();
    Router router = Router.router(vertx);
    router.route().handler(RequestIds::assign);
    if (accessLog) {
      router.route().handler(AccessLog::log);
    }
    router.route().handler(crossSite::check);

    router.get(LookupDispatch.ROUTE).handler(h.lookups()::lookup);
    router.get(LookupApi.HASH_PREFIX_ROUTE).handler(h.lookups()::hashPrefix);
    router.post("/v1/numbers/lookup").handler(json).handler(body).handler(h.lookups()::batch);
    router.post("/v1/reporters").handler(json).handler(h.reporters()::create);
    router.post("/v1/reports").handler(json).handler(body).handler(h.reports()::report);
    router.get("/v1/filter").handler(h.filterFeed()::snapshot);
    router.get("/v1/filter/changes").handler(h.filterFeed()::changes);
    router.get("/v1/filter/stream").handler(h.filterFeed()::stream);

    router.put("/v1/admin/overrides/:number").handler(json).handler(body).handler(admin).handler(h.overrides()::put);
    router.delete("/v1/admin/overrides/:number").handler(admin).handler(h.overrides()::delete);
    router.put("/v1/admin/overrides/prefixes/:prefix").handler(json).handler(body).handler(admin).handler(h.overrides()::putPrefix);
    router.delete("/v1/admin/overrides/prefixes/:prefix").handler(admin).handler(h.overrides()::deletePrefix);
    router.get("/v1/admin/audit").handler(admin).handler(h.audit()::list);

    router.get("/v1/export").handler(operator).handler(h.exports()::export);
    router.get("/v1/export/:version/signature").handler(operator).handler(h.exports()::signature);
    router.get("/.well-known/dunblock-export-key").handler(h.exports()::publicKey);
    router.get("/v1/evidence/numbers/:number").handler(operator).handler(h.evidence()::number);
    router.get("/v1/evidence/platforms/:platform").handler(operator).handler(h.evidence()::platform);
    router.get("/v1/numbers/:number/history").handler(h.evidence()::history);
    router.get("/v1/admin/stats").handler(operator).handler(h.stats()::stats);
    router.post("/v1/appeals").handler(json).handler(body).handler(h.appeals()::file);
    router.get("/v1/admin/appeals").handler(operator).handler(h.appeals()::list);
    router.post("/v1/admin/appeals/:id/decision").handler(json).handler(body).handler(operator).handler(h.appeals()::decide);
    // No BodyHandler: the list is streamed line by line (ImportRun), whatever its size.
    router.post(ImportApi.PATH).handler(ImportApi::holdBody).handler(operator).handler(h.imports()::importList);
    // The register of verified callers (DESIGN.md rule 9): admin only, every change audited.
    router.get(VerifiedCallerApi.PATH).handler(admin).handler(h.verifiedCallers()::list);
    // The key is checked before the body is read: nobody without one gets to upload megabytes.
    router.post(VerifiedCallerApi.PATH + "/import").handler(ImportApi::holdBody).handler(admin)
        .handler(h.verifiedCallers()::importList);
    router.put(VerifiedCallerApi.PATH + "/:number").handler(json).handler(body).handler(admin).handler(h.verifiedCallers()::put);
    router.delete(VerifiedCallerApi.PATH + "/:number").handler(admin).handler(h.verifiedCallers()::delete);

    router.get("/health").handler(h.ops()::health);
    router.get("/ready").handler(h.ops()::ready);
    if (publicMetrics != null) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(publicMetrics));
    }
    router.get("/openapi.yaml").handler(h.ops()::openApi);

    router.get("/").handler(h.web().page("index.html"));
    router.get("/report").handler(h.web().page("report.html"));
    router.get("/appeal").handler(h.web().page("appeal.html"));
    router.get("/dashboard").handler(h.web().page("dashboard.html"));
    router.get("/static/:file").handler(h.web()::asset);

    router.route().failureHandler(ErrorHandler::handle);
    router.errorHandler(400, ErrorHandler::badRequest);
    router.errorHandler(404, ErrorHandler::handle);
    router.errorHandler(405, ErrorHandler::handle);
    router.errorHandler(500, ErrorHandler::handle);
    return router;
  }
}
