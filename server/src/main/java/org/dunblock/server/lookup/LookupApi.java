package org.dunblock.server.lookup;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.JsonBodies;
import org.dunblock.server.number.InvalidNumberException;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reputation.Reputation;

/** GET /v1/numbers/{number} and POST /v1/numbers/lookup. */
public final class LookupApi {
  public static final int MAX_BATCH = 1000;
  /**
   * Apps may cache an answer this long; a new BLOCK reaches them through the filter within this bound. The single
   * lookup's header values are encoded once: it is most of the traffic.
   */
  private static final CharSequence CACHEABLE = HttpHeaders.createOptimized("public, max-age=60");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");
  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json; charset=utf-8");

  private final PhoneNumberNormalizer normalizer;
  private final ReputationService reputations;
  private final LookupLimiter limiter;

  public LookupApi(PhoneNumberNormalizer normalizer, ReputationService reputations, LookupLimiter limiter) {
    this.normalizer = normalizer;
    this.reputations = reputations;
    this.limiter = limiter;
  }

  public void lookup(RoutingContext ctx) {
    lookup(ctx.request(), ctx.pathParam("number"), ctx.queryParams().get("region"), ctx::fail);
  }

  /**
   * Answers the lookup of {@code rawNumber} (decoded) in {@code region} (null: the default) on {@code request}'s
   * response. Bad input and a refusal by the limiter are thrown as {@link ApiException}; a failure after that goes to
   * {@code onFailure}.
   */
  public void lookup(HttpServerRequest request, String rawNumber, String region, Handler<Throwable> onFailure) {
    limiter.admit(request, 1);
    String number = normalizer.normalize(rawNumber, normalizer.region(region));
    reputations.reputation(number).onComplete(reputation -> request.response()
        .putHeader(HttpHeaders.CACHE_CONTROL, reputation.degraded() ? NO_STORE : CACHEABLE)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(reputation.toBuffer()), onFailure);
  }

  public void batch(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx, Set.of("numbers", "region"));
    String region = normalizer.region(JsonBodies.string(body, "region", 8));
    Object rawNumbers = body.getValue("numbers");
    if (rawNumbers == null) {
      throw ApiException.badRequest("missing_field", "'numbers' is required: an array of phone numbers.");
    }
    if (!(rawNumbers instanceof JsonArray numbers)) {
      throw ApiException.badRequest("invalid_field", "'numbers' must be an array of phone numbers.");
    }
    if (numbers.isEmpty()) {
      throw ApiException.badRequest("invalid_field", "'numbers' must hold at least one number.");
    }
    if (numbers.size() > MAX_BATCH) {
      throw ApiException.badRequest("too_many_numbers",
          "A batch holds at most " + MAX_BATCH + " numbers; got " + numbers.size() + ".");
    }
    limiter.admit(ctx.request(), numbers.size());
    List<Object> slots = new ArrayList<>(numbers.size());
    Map<String, Future<Reputation>> pending = new HashMap<>();
    for (int i = 0; i < numbers.size(); i++) {
      Object item = numbers.getValue(i);
      if (!(item instanceof String raw)) {
        throw ApiException.badRequest("invalid_field", "'numbers[" + i + "]' must be a string.");
      }
      try {
        String e164 = normalizer.normalize(raw, region);
        slots.add(e164);
        pending.computeIfAbsent(e164, reputations::reputation);
      } catch (InvalidNumberException e) {
        slots.add(new JsonObject().put("input", raw).put("error", e.code()).put("message", e.getMessage()));
      }
    }
    Future.join(new ArrayList<>(pending.values())).onComplete(ignored -> {
      JsonArray results = new JsonArray();
      boolean degraded = false;
      for (Object slot : slots) {
        if (slot instanceof String e164) {
          Reputation r = pending.get(e164).result();
          degraded |= r.degraded();
          results.add(r.toJson());
        } else {
          results.add(slot);
        }
      }
      ctx.response()
          .putHeader("Cache-Control", degraded ? "no-store" : "no-cache")
          .putHeader("Content-Type", "application/json; charset=utf-8")
          .end(new JsonObject().put("results", results).toBuffer());
    });
  }
}
