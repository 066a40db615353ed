package org.dunblock.server.evidence;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.Responses;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.evidence.Platforms;
import org.dunblock.server.lookup.ReputationService;

/**
 * Operator endpoints for evidence packs: {@code GET /v1/evidence/numbers/{number}} and
 * {@code GET /v1/evidence/platforms/{platform}}, as JSON or (with {@code format=html} or {@code Accept: text/html})
 * as a printable HTML page. Errors stay JSON either way.
 */
public final class EvidenceApi {
  /** A platform path segment longer than this cannot name a platform a report could have named. */
  static final int MAX_PLATFORM_PARAM = 400;
  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
      + "form-action 'none'; frame-ancestors 'none'";

  private final PhoneNumberNormalizer normalizer;
  private final EvidenceStore store;
  private final ReputationService reputations;
  private final Clock clock;

  public EvidenceApi(PhoneNumberNormalizer normalizer, EvidenceStore store, ReputationService reputations,
      Clock clock) {
    this.normalizer = normalizer;
    this.store = store;
    this.reputations = reputations;
    this.clock = clock;
  }

  /** A number nobody reported gets 200 and an empty pack, as a lookup answers ALLOW for it (README). */
  public void number(RoutingContext ctx) {
    boolean html = wantsHtml(ctx);
    String number = normalizer.normalize(ctx.pathParam("number"), normalizer.region(ctx.queryParams().get("region")));
    String region = store.zones().regionOf(number);
    ZoneId zone = zone(ctx.queryParams().get("tz"), region);
    // The verdict is the lookup's own answer (prefix overrides and ranges included), so the pack never disagrees.
    var data = store.number(number);
    var reputation = reputations.reputation(number);
    Future.all(data, reputation).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonObject pack = EvidencePacks.number(number, region, zone, data.result().record(), data.result().log(),
          reputation.result(), clock.instant());
      // Protected numbers (DESIGN.md rule 9): what the crowd alone would have said, as a review signal.
      JsonObject protection = reputations.protection(number, data.result().record(), clock.millis());
      if (protection != null) {
        pack.put("protected", protection);
      }
      send(ctx, pack, html);
    });
  }

  /**
   * Public GET /v1/numbers/{number}/history: the number's reports per UTC day, for the chart on the public lookup
   * page. Counts only, from the same log as the evidence pack: no note, no reporter. The lookup comes first, so a
   * number nobody reported costs Redis nothing here either. UTC days, not the region's (the operators' evidence packs
   * keep those): every public answer cuts days at the same midnight (DESIGN.md rule 8), or a local day beside a UTC
   * day would split each day in two and narrow down when a call was made.
   */
  public void history(RoutingContext ctx) {
    String number = normalizer.normalize(ctx.pathParam("number"), normalizer.region(ctx.queryParams().get("region")));
    String region = store.zones().regionOf(number);
    ZoneId zone = ZoneId.of("UTC");
    reputations.reputation(number).compose(reputation -> {
      Future<EvidenceStore.NumberData> data = reputation.reports() > 0
          ? store.number(number)
          : Future.succeededFuture(new EvidenceStore.NumberData(Map.of(), List.of()));
      return data.map(d -> EvidencePacks.number(number, region, zone, d.record(), d.log(), reputation,
          clock.instant()).put("degraded", reputation.degraded()));
    }).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonObject pack = ar.result();
      // Like a lookup, apps and caches may reuse it for a minute.
      ctx.response().putHeader("Cache-Control", pack.getBoolean("degraded") ? "no-store" : "public, max-age=60");
      Responses.json(ctx, 200, new JsonObject()
          .put("number", number)
          .put("timeZone", zone.getId())
          .put("reportsPerDay", pack.getJsonObject("reportsPerDay")));
    });
  }

  public void platform(RoutingContext ctx) {
    boolean html = wantsHtml(ctx);
    String raw = ctx.pathParam("platform");
    String name = raw == null || raw.length() > MAX_PLATFORM_PARAM ? null : Platforms.normalize(raw);
    if (name == null) {
      throw ApiException.badRequest("invalid_platform",
          "Name the platform as reporters did (1 to 100 characters; case and spacing do not matter).");
    }
    store.platform(name).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      var data = ar.result();
      if (data.aggregate().isEmpty()) {
        ctx.fail(new ApiException(404, "unknown_platform", "No report names the platform '" + name + "'."));
        return;
      }
      send(ctx, EvidencePacks.platform(name, data.aggregate(), data.victims(), data.numbers(), data.topNumbers(),
          clock.instant()), html);
    });
  }

  private ZoneId zone(String requested, String region) {
    if (requested == null) {
      return store.zones().zoneOfRegion(region);
    }
    try {
      return ZoneId.of(requested);
    } catch (DateTimeException e) {
      throw ApiException.badRequest("invalid_time_zone",
          "'tz' must be an IANA time zone such as Asia/Shanghai.");
    }
  }

  private static boolean wantsHtml(RoutingContext ctx) {
    String format = ctx.queryParams().get("format");
    if (format != null) {
      return switch (format) {
        case "html" -> true;
        case "json" -> false;
        default -> throw ApiException.badRequest("invalid_format", "'format' is json or html.");
      };
    }
    // Browsers ask for text/html first; API clients (curl's */*, application/json) get JSON.
    String accept = ctx.request().getHeader("Accept");
    if (accept == null) {
      return false;
    }
    int htmlAt = accept.indexOf("text/html");
    int jsonAt = accept.indexOf("application/json");
    return htmlAt >= 0 && (jsonAt < 0 || htmlAt < jsonAt);
  }

  private static void send(RoutingContext ctx, JsonObject pack, boolean html) {
    ctx.response().putHeader("Cache-Control", "no-store").putHeader("Vary", "Accept");
    if (html) {
      ctx.response()
          .setStatusCode(200)
          .putHeader("Content-Type", "text/html; charset=utf-8")
          .putHeader("Content-Security-Policy", CSP)
          .putHeader("X-Content-Type-Options", "nosniff")
          .end(EvidencePage.render(pack));
    } else {
      Responses.json(ctx, 200, pack);
    }
  }
}
