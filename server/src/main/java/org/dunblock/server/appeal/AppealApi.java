package org.dunblock.server.appeal;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dunblock.server.audit.AuditLog;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.http.JsonBodies;
import org.dunblock.server.http.Responses;
import org.dunblock.server.keys.ApiKey;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.keys.Role;
import org.dunblock.server.lookup.ReputationService;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.override.OverrideStore;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.reputation.Reasons;
import org.dunblock.server.reputation.Reputation;
import org.dunblock.server.reputation.Verdict;
import org.dunblock.server.store.RateLimitedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appeals against a verdict: anyone files one (rate-limited per client network and per number), operators list
 * and decide them. Allowing puts an ALLOW override on the number through {@link OverrideStore}, so it takes effect
 * on every instance at once. Nothing here ever shows who reported a number.
 */
public final class AppealApi {
  private static final Logger LOG = LoggerFactory.getLogger(AppealApi.class);
  public static final int MAX_CONTACT = 200;
  public static final int MAX_REASON = 2000;
  public static final int MAX_NOTE = 500;
  public static final int MAX_LIMIT = 1000;
  static final String ID_PATTERN = "apl_[0-9a-f]{24}";

  private final PhoneNumberNormalizer normalizer;
  private final ReporterTokens tokens;
  private final ClientAddress clientAddress;
  private final AppealStore appeals;
  private final ReputationService reputations;
  private final OverrideStore overrides;
  private final NumberFilter filter;
  private final AuditLog audit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public AppealApi(PhoneNumberNormalizer normalizer, ReporterTokens tokens, ClientAddress clientAddress,
      AppealStore appeals, ReputationService reputations, OverrideStore overrides, NumberFilter filter,
      AuditLog audit, Clock clock) {
    this.normalizer = normalizer;
    this.tokens = tokens;
    this.clientAddress = clientAddress;
    this.appeals = appeals;
    this.reputations = reputations;
    this.overrides = overrides;
    this.filter = filter;
    this.audit = audit;
    this.clock = clock;
  }

  /** POST /v1/appeals {number, region?, contact, reason}: 202 {appealId, status: "pending", number}. */
  public void file(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx, Set.of("number", "region", "contact", "reason"));
    String number = normalizer.normalize(JsonBodies.requiredString(body, "number", 200),
        normalizer.region(JsonBodies.string(body, "region", 8)));
    String contact = text(JsonBodies.requiredString(body, "contact", MAX_CONTACT), "contact");
    String reason = text(JsonBodies.requiredString(body, "reason", MAX_REASON), "reason");
    // The appellant's network is only ever a keyed hash in an hour-long counter, never stored with the appeal.
    String network = tokens.networkHash(clientAddress.of(ctx.request()));
    String id = newId();
    reputations.reputation(number).compose(reputation -> {
      if (!reputation.degraded() && reputation.verdict() == Verdict.ALLOW) {
        return Future.failedFuture(new ApiException(422, "nothing_to_appeal",
            number + " is not blocked or warned about; there is nothing to appeal."));
      }
      long filed = clock.millis();
      return appeals.file(id, number, contact, reason, network, filed).compose(outcome ->
          outcome.result() != AppealStore.Result.OPENED
          ? Future.succeededFuture(outcome)
          // Votes cast from now on earn no credit from the decision (ReporterTrust.decided); a failure here is
          // covered for this appeal by its own filing time, which the decision passes on.
          : appeals.noteAppealed(number, filed).transform(noted -> {
            if (noted.failed()) {
              LOG.warn("Appeal {} filed but its note on the number failed: {}", id, noted.cause().toString());
            }
            return Future.succeededFuture(outcome);
          }));
    }).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().result() == AppealStore.Result.LIMITED) {
        ctx.fail(new RateLimitedException("Too many appeals from your network or about this number",
            ar.result().retryAfterMs()));
      } else if (ar.result().result() == AppealStore.Result.FULL) {
        ctx.fail(new ApiException(409, "appeal_full", "An appeal about " + number + " is already waiting for an "
            + "operator with the most statements it takes (" + AppealStore.MAX_STATEMENTS + "); it will be decided "
            + "without yours. Appeal again if it is rejected."));
      } else {
        // A further appeal about a number joins the pending one: the owner is heard even after others appealed.
        Responses.json(ctx, 202, new JsonObject().put("appealId", ar.result().id()).put("status", "pending")
            .put("number", number).put("joined", ar.result().result() == AppealStore.Result.JOINED));
      }
    });
  }

  /** GET /v1/admin/appeals?status=pending|allowed|rejected&amp;limit=100 (operator). */
  public void list(RoutingContext ctx) {
    String rawStatus = ctx.queryParams().get("status");
    AppealStatus status = rawStatus == null ? AppealStatus.PENDING : AppealStatus.parse(rawStatus)
        .orElseThrow(() -> ApiException.badRequest("invalid_status", "'status' is pending, allowed or rejected."));
    int limit = limit(ctx.queryParams().get("limit"));
    long now = clock.millis();
    Future<Long> total = appeals.count(status, now);
    Future<List<JsonObject>> listed = appeals.list(status, limit, now).compose(found -> {
      List<Future<Reputation>> current = new ArrayList<>();
      for (Map<String, String> appeal : found) {
        current.add(reputations.reputation(appeal.get("number")));
      }
      return Future.all(current).map(done -> {
        List<JsonObject> out = new ArrayList<>();
        for (int i = 0; i < found.size(); i++) {
          out.add(json(found.get(i)).put("reputation", current.get(i).result().toJson()));
        }
        return out;
      });
    });
    Future.all(total, listed).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Responses.json(ctx, 200, new JsonObject()
          .put("status", status.wire())
          .put("total", total.result())
          .put("appeals", new JsonArray(listed.result())));
    });
  }

  /** POST /v1/admin/appeals/{id}/decision {decision: "allow"|"reject", note?} (operator). */
  public void decide(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !id.matches(ID_PATTERN)) {
      throw new ApiException(404, "no_appeal", "There is no such appeal.");
    }
    JsonObject body = JsonBodies.object(ctx, Set.of("decision", "note"));
    String decision = JsonBodies.requiredString(body, "decision", 16);
    AppealStatus to;
    if ("allow".equals(decision)) {
      to = AppealStatus.ALLOWED;
    } else if ("reject".equals(decision)) {
      to = AppealStatus.REJECTED;
    } else {
      throw ApiException.badRequest("invalid_decision", "'decision' is allow or reject.");
    }
    String rawNote = JsonBodies.string(body, "note", MAX_NOTE);
    String note = rawNote == null ? "" : rawNote.replaceAll("\\p{Cc}", " ").trim();
    ApiKey caller = ApiKeyAuth.caller(ctx);
    String actor = caller.id();
    boolean admin = caller.role().includes(Role.ADMIN);
    long now = clock.millis();
    adminDecisionStands(id, to, admin).compose(ignored -> appeals.decide(id, to, actor, note, now)).compose(decided -> {
      if ("absent".equals(decided.result())) {
        return Future.failedFuture(new ApiException(404, "no_appeal", "There is no appeal " + id + "."));
      }
      if ("decided".equals(decided.result())) {
        return Future.failedFuture(new ApiException(409, "already_decided",
            "Appeal " + id + " was already decided (" + decided.detail() + ")."));
      }
      String number = decided.detail();
      if (to == AppealStatus.REJECTED) {
        return Future.succeededFuture(number);
      }
      String reason = "appeal " + id + (note.isEmpty() ? "" : ": " + note);
      // Only votes cast before the appeal was filed can be credited by its decision (docs/trust.md).
      return overrides.allowByAppeal(number, reason, actor, now, decided.createdMs() < 0 ? now : decided.createdMs(),
              admin)
          .compose(outcome -> outcome.adminDecision()
              ? Future.<OverrideStore.Outcome>failedFuture(adminDecision(number))
              : Future.succeededFuture(outcome))
          .map(outcome -> {
            filter.add(number);
            return number;
          })
          // The override did not happen: put the appeal back so it can be decided again.
          .recover(err -> appeals.reopen(id, to, now).transform(ignored -> Future.failedFuture(err)));
    }).compose(number -> audit(actor, to, id, number, note, now).map(number)).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Responses.json(ctx, 200, new JsonObject()
          .put("appealId", id)
          .put("number", ar.result())
          .put("status", to.wire())
          .put("decidedBy", actor)
          .put("decidedAt", Instant.ofEpochMilli(now).toString())
          .put("note", note));
    });
  }

  /**
   * DESIGN.md rule 8 and docs/trust.md: allowing an appeal must not overturn an admin's BLOCK (a number or a prefix
   * override) unless the operator deciding is an admin too. Checked before the appeal changes, so a refused decision
   * leaves it pending; {@code override.lua} checks the number's own override again atomically.
   */
  private Future<Void> adminDecisionStands(String id, AppealStatus to, boolean admin) {
    if (admin || to != AppealStatus.ALLOWED) {
      return Future.succeededFuture();
    }
    return appeals.number(id).compose(number -> number.isEmpty()
        ? Future.succeededFuture()
        : reputations.reputation(number.get()).compose(r -> r.verdict() == Verdict.BLOCK
            && r.reasons().contains(Reasons.OPERATOR_OVERRIDE)
            ? Future.failedFuture(adminDecision(number.get()))
            : Future.succeededFuture()));
  }

  private static ApiException adminDecision(String number) {
    return new ApiException(403, "admin_decision", "An admin blocked " + number + " by an override; only an admin "
        + "can allow an appeal against it. The appeal stays pending.");
  }

  /** The decision is made; a failed audit write is logged rather than undoing it. */
  private Future<Void> audit(String actor, AppealStatus to, String id, String number, String note, long now) {
    Map<String, String> entry = Map.of("at", Long.toString(now), "actor", actor,
        "action", to == AppealStatus.ALLOWED ? "appeal.allow" : "appeal.reject", "target", id, "reason", note,
        "details", number + (to == AppealStatus.ALLOWED ? ": ALLOW override set" : ": verdict unchanged"));
    return audit.append(entry).recover(err -> {
      LOG.error("Appeal {} decided by {} but its audit entry failed", id, actor, err);
      return Future.succeededFuture();
    });
  }

  static JsonObject json(Map<String, String> a) {
    String decided = a.get("decided");
    JsonArray statements = new JsonArray();
    int n = a.get("statements") == null ? 1 : Integer.parseInt(a.get("statements"));
    for (int i = 2; i <= n; i++) {
      String created = a.get("created." + i);
      statements.add(new JsonObject().put("contact", a.get("contact." + i)).put("reason", a.get("reason." + i))
          .put("createdAt", created == null ? null : Instant.ofEpochMilli(Long.parseLong(created)).toString()));
    }
    return new JsonObject()
        .put("appealId", a.get("id"))
        .put("number", a.get("number"))
        .put("status", a.get("status"))
        .put("contact", a.get("contact"))
        .put("reason", a.get("reason"))
        .put("createdAt", Instant.ofEpochMilli(Long.parseLong(a.get("created"))).toString())
        .put("decidedAt", decided == null ? null : Instant.ofEpochMilli(Long.parseLong(decided)).toString())
        .put("decidedBy", a.get("decidedBy"))
        .put("note", a.get("note"))
        .put("furtherStatements", statements);
  }

  private static int limit(String raw) {
    if (raw == null) {
      return 100;
    }
    int limit;
    try {
      limit = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiException.badRequest("invalid_limit", "'limit' must be between 1 and " + MAX_LIMIT + ".");
    }
    return limit;
  }

  private static String text(String raw, String field) {
    String cleaned = raw.replaceAll("\\p{Cc}", " ").trim();
    if (cleaned.isEmpty()) {
      throw ApiException.badRequest("missing_field", "'" + field + "' is required.");
    }
    return cleaned;
  }

  private String newId() {
    byte[] id = new byte[12];
    random.nextBytes(id);
    return "apl_" + HexFormat.of().formatHex(id);
  }
}
