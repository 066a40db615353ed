package org.dunblock.server.override;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.JsonBodies;
import org.dunblock.server.http.Responses;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.number.PrefixRules;
import org.dunblock.server.reputation.Verdict;
import org.dunblock.server.store.KeySchema;

/** Admin endpoints that put a number on ALLOW or BLOCK over the crowd's verdict, or take it off again. */
public final class OverrideApi {
  public static final int MAX_REASON = 500;

  private final PhoneNumberNormalizer normalizer;
  private final OverrideStore overrides;
  private final NumberFilter filter;
  private final Clock clock;
  private final PrefixRules prefixes = new PrefixRules();

  public OverrideApi(PhoneNumberNormalizer normalizer, OverrideStore overrides, NumberFilter filter, Clock clock) {
    this.normalizer = normalizer;
    this.overrides = overrides;
    this.filter = filter;
    this.clock = clock;
  }

  /** PUT /v1/admin/overrides/{number} {"verdict": "ALLOW"|"BLOCK", "reason": "...", "region"?}. */
  public void put(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx, Set.of("verdict", "reason", "region"));
    String number = normalizer.normalize(ctx.pathParam("number"),
        normalizer.region(JsonBodies.string(body, "region", 8)));
    set(ctx, body, number, number);
  }

  /** PUT /v1/admin/overrides/prefixes/{prefix} {"verdict", "reason"}: every number under the prefix. */
  public void putPrefix(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx, Set.of("verdict", "reason"));
    String prefix = prefixes.validate(ctx.pathParam("prefix"));
    set(ctx, body, KeySchema.prefixEntry(prefix), prefix);
  }

  /** DELETE /v1/admin/overrides/prefixes/{prefix}?reason=... */
  public void deletePrefix(RoutingContext ctx) {
    String prefix = prefixes.validate(ctx.pathParam("prefix"));
    clear(ctx, KeySchema.prefixEntry(prefix), prefix);
  }

  private void set(RoutingContext ctx, JsonObject body, String entry, String shown) {
    String rawVerdict = JsonBodies.requiredString(body, "verdict", 16);
    Verdict verdict;
    if ("ALLOW".equals(rawVerdict)) {
      verdict = Verdict.ALLOW;
    } else if ("BLOCK".equals(rawVerdict)) {
      verdict = Verdict.BLOCK;
    } else {
      throw ApiException.badRequest("invalid_verdict", "An override's verdict is ALLOW or BLOCK.");
    }
    String reason = reason(JsonBodies.requiredString(body, "reason", MAX_REASON));
    String actor = ApiKeyAuth.caller(ctx).id();
    long now = clock.millis();
    overrides.set(entry, verdict, reason, actor, now).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      filter.add(entry);
      Responses.json(ctx, 200, new JsonObject()
          .put(KeySchema.isPrefixEntry(entry) ? "prefix" : "number", shown)
          .put("verdict", verdict.name())
          .put("reason", reason)
          .put("by", actor)
          .put("at", Instant.ofEpochMilli(now).toString())
          .put("previous", ar.result().previous().isEmpty() ? null : ar.result().previous()));
    });
  }

  /** DELETE /v1/admin/overrides/{number}?reason=...: back to the crowd's verdict. */
  public void delete(RoutingContext ctx) {
    String number = normalizer.normalize(ctx.pathParam("number"), normalizer.region(ctx.queryParams().get("region")));
    clear(ctx, number, number);
  }

  private void clear(RoutingContext ctx, String entry, String shown) {
    String rawReason = ctx.queryParams().get("reason");
    if (rawReason == null) {
      throw ApiException.badRequest("missing_field", "Say why in the 'reason' query parameter.");
    }
    if (rawReason.length() > MAX_REASON) {
      throw ApiException.badRequest("invalid_field", "'reason' is longer than " + MAX_REASON + " characters.");
    }
    String reason = reason(rawReason);
    overrides.clear(entry, reason, ApiKeyAuth.caller(ctx).id(), clock.millis()).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if ("absent".equals(ar.result().result())) {
        ctx.fail(new ApiException(404, "no_override", "There is no override on " + shown + "."));
      } else {
        Responses.json(ctx, 200, new JsonObject()
            .put(KeySchema.isPrefixEntry(entry) ? "prefix" : "number", shown)
            .put("cleared", ar.result().previous()));
      }
    });
  }

  private static String reason(String raw) {
    String reason = raw.replaceAll("\\p{Cc}", " ").trim();
    if (reason.isEmpty()) {
      throw ApiException.badRequest("missing_field", "An override needs a reason.");
    }
    return reason;
  }
}
