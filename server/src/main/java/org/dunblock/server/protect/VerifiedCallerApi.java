package org.dunblock.server.protect;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.BoundedBody;
import org.dunblock.server.number.InvalidNumberException;
import org.dunblock.server.http.JsonBodies;
import org.dunblock.server.http.Responses;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reputation.ProtectionKind;
import io.vertx.core.Future;

/**
 * Admin endpoints of the register of verified callers (DESIGN.md rule 9): numbers of banks, hospitals, government
 * lines and couriers that the crowd can take to WARN at most. Every change is audited. Emergency numbers are
 * refused: they are protected further than the register could.
 */
public final class VerifiedCallerApi {
  public static final String PATH = "/v1/admin/verified-callers";
  public static final int MAX_NAME = 200;
  public static final int MAX_NOTE = 500;
  public static final int MAX_REASON = 500;
  public static final int MAX_PAGE = 1000;
  public static final int DEFAULT_PAGE = 100;
  /** Entries per register script run during an import. */
  static final int IMPORT_BATCH = 500;
  static final int MAX_ERRORS = 1000;
  /** An import body may hold this much (the rest of the API keeps to DUNBLOCK_MAX_BODY_BYTES). */
  public static final long MAX_IMPORT_BYTES = 8L * 1024 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PhoneNumberNormalizer normalizer;
  private final VerifiedCallerStore store;
  private final Protection protection;
  private final Clock clock;

  public VerifiedCallerApi(PhoneNumberNormalizer normalizer, VerifiedCallerStore store, Protection protection,
      Clock clock) {
    this.normalizer = normalizer;
    this.store = store;
    this.protection = protection;
    this.clock = clock;
  }

  /** PUT /v1/admin/verified-callers/{number} {"name", "category"?, "note"?, "reason"?, "region"?}. */
  public void put(RoutingContext ctx) {
    JsonObject body = JsonBodies.object(ctx, Set.of("name", "category", "note", "reason", "region"));
    String number = normalizer.normalize(ctx.pathParam("number"),
        normalizer.region(JsonBodies.string(body, "region", 8)));
    refuseEmergency(number);
    String actor = ApiKeyAuth.caller(ctx).id();
    long now = clock.millis();
    VerifiedCallers.Entry entry = entry(JsonBodies.requiredString(body, "name", MAX_NAME),
        JsonBodies.string(body, "category", 32), JsonBodies.string(body, "note", MAX_NOTE), now, actor);
    String reason = text(JsonBodies.string(body, "reason", MAX_REASON));
    store.apply(List.of(new VerifiedCallerStore.Change(number, entry)), actor, reason == null ? "register" : reason,
        now).onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
            return;
          }
          Responses.json(ctx, 200, json(number, entry).put("outcome", ar.result().get(0)));
        });
  }

  /** DELETE /v1/admin/verified-callers/{number}?reason=...: off the register, back to the crowd's verdict. */
  public void delete(RoutingContext ctx) {
    String number = normalizer.normalize(ctx.pathParam("number"), normalizer.region(ctx.queryParams().get("region")));
    String raw = ctx.queryParams().get("reason");
    if (raw == null || raw.length() > MAX_REASON || text(raw) == null) {
      throw ApiException.badRequest(raw == null ? "missing_field" : "invalid_field",
          "Say why in the 'reason' query parameter (1 to " + MAX_REASON + " characters).");
    }
    store.apply(List.of(new VerifiedCallerStore.Change(number, null)), ApiKeyAuth.caller(ctx).id(), text(raw),
        clock.millis()).onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
          } else if ("absent".equals(ar.result().get(0))) {
            ctx.fail(new ApiException(404, "not_registered", number + " is not on the register of verified callers."));
          } else {
            Responses.json(ctx, 200, new JsonObject().put("number", number).put("outcome", "removed"));
          }
        });
  }

  /** GET /v1/admin/verified-callers?after=&lt;e164&gt;&amp;limit=n: the register in number order, a page at a time. */
  public void list(RoutingContext ctx) {
    int limit = limit(ctx.queryParams().get("limit"));
    String rawAfter = ctx.queryParams().get("after");
    String after = rawAfter == null || rawAfter.isEmpty() ? null : normalizer.normalize(rawAfter, normalizer.region(null));
    Future<Map<String, VerifiedCallers.Entry>> page = store.page(after, limit);
    Future<Long> total = store.count();
    Future.all(page, total).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonArray callers = new JsonArray();
      String last = null;
      for (Map.Entry<String, VerifiedCallers.Entry> e : page.result().entrySet()) {
        callers.add(json(e.getKey(), e.getValue()));
        last = e.getKey();
      }
      ctx.response().putHeader("Cache-Control", "no-store");
      Responses.json(ctx, 200, new JsonObject()
          .put("total", total.result())
          .put("callers", callers)
          .put("next", page.result().size() < limit ? null : last));
    });
  }

  /**
   * POST /v1/admin/verified-callers/import?format=csv|jsonl&amp;region=CN: lines {@code number,name,category,note}
   * (CSV, an optional header line, quotes for commas) or JSON objects with those fields. Valid lines are applied in
   * batches, each change audited under the import's id; invalid lines are listed and change nothing.
   */
  public void importList(RoutingContext ctx) {
    // Checked before any of the body is read (the route holds it until the admin key is verified).
    String format = ctx.queryParams().get("format") == null ? "csv" : ctx.queryParams().get("format");
    if (!format.equals("csv") && !format.equals("jsonl")) {
      throw ApiException.badRequest("invalid_format", "'format' is csv or jsonl.");
    }
    String region = normalizer.region(ctx.queryParams().get("region"));
    String actor = ApiKeyAuth.caller(ctx).id();
    long now = clock.millis();
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    String importId = "vci_" + HexFormat.of().formatHex(id);
    BoundedBody.read(ctx.request(), (int) MAX_IMPORT_BYTES).onComplete(read -> {
      if (read.failed()) {
        ctx.fail(read.cause());
        return;
      }
      importLines(ctx, read.result().toString(StandardCharsets.UTF_8), format, region, actor, now, importId);
    });
  }

  private void importLines(RoutingContext ctx, String text, String format, String region, String actor, long now,
      String importId) {
    String[] lines = text.split("\r?\n", -1);
    List<VerifiedCallerStore.Change> changes = new ArrayList<>();
    JsonArray errors = new JsonArray();
    long[] invalid = {0};
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank() || i == 0 && format.equals("csv") && line.trim().toLowerCase().startsWith("number,")) {
        continue;
      }
      try {
        changes.add(parseLine(line, format, region, now, actor));
      } catch (ApiException | InvalidNumberException e) {
        invalid[0]++;
        if (errors.size() < MAX_ERRORS) {
          String code = e instanceof InvalidNumberException number ? number.code() : ((ApiException) e).code();
          errors.add(new JsonObject().put("line", i + 1).put("error", code).put("reason", e.getMessage()));
        }
      }
    }
    Map<String, Long> counts = new java.util.TreeMap<>(Map.of("added", 0L, "updated", 0L, "unchanged", 0L));
    Future<Void> chain = Future.succeededFuture();
    for (int from = 0; from < changes.size(); from += IMPORT_BATCH) {
      List<VerifiedCallerStore.Change> batch = changes.subList(from, Math.min(changes.size(), from + IMPORT_BATCH));
      chain = chain.compose(v -> store.apply(batch, actor, importId, now).map(outcomes -> {
        outcomes.forEach(o -> counts.merge(o, 1L, Long::sum));
        return null;
      }));
    }
    chain.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonObject summary = new JsonObject().put("importId", importId).put("format", format).put("region", region)
          .put("valid", (long) changes.size()).put("invalid", invalid[0]).put("errors", errors);
      counts.forEach(summary::put);
      Responses.json(ctx, 200, summary);
    });
  }

  private VerifiedCallerStore.Change parseLine(String line, String format, String region, long now, String actor) {
    String number;
    String name;
    String category;
    String note;
    if (format.equals("jsonl")) {
      JsonObject o;
      try {
        o = new JsonObject(line);
      } catch (DecodeException | ClassCastException e) {
        throw ApiException.badRequest("invalid_json", "Not a JSON object.");
      }
      for (String field : o.fieldNames()) {
        if (!Set.of("number", "name", "category", "note", "region").contains(field)) {
          throw ApiException.badRequest("unknown_field", "Unknown field '" + field + "'.");
        }
      }
      number = JsonBodies.requiredString(o, "number", 200);
      name = JsonBodies.requiredString(o, "name", MAX_NAME);
      category = JsonBodies.string(o, "category", 32);
      note = JsonBodies.string(o, "note", MAX_NOTE);
      String own = JsonBodies.string(o, "region", 8);
      region = own == null ? region : normalizer.region(own);
    } else {
      List<String> fields = csv(line);
      if (fields.size() < 2 || fields.size() > 4) {
        throw ApiException.badRequest("invalid_line", "A line is number,name[,category[,note]].");
      }
      number = fields.get(0);
      name = fields.get(1);
      category = fields.size() > 2 && !fields.get(2).isBlank() ? fields.get(2) : null;
      note = fields.size() > 3 && !fields.get(3).isBlank() ? fields.get(3) : null;
      if (name.length() > MAX_NAME || note != null && note.length() > MAX_NOTE) {
        throw ApiException.badRequest("invalid_field", "The name or note is too long.");
      }
    }
    String e164 = normalizer.normalize(number, region);
    refuseEmergency(e164);
    return new VerifiedCallerStore.Change(e164, entry(name, category, note, now, actor));
  }

  /** One CSV line's fields: commas separate, double quotes enclose, "" inside quotes is a quote. */
  static List<String> csv(String line) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString().trim());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      throw ApiException.badRequest("invalid_line", "An unclosed quote.");
    }
    fields.add(field.toString().trim());
    return fields;
  }

  private void refuseEmergency(String e164) {
    if (protection.kind(e164) == ProtectionKind.EMERGENCY) {
      throw ApiException.badRequest("emergency_number", e164 + " is an emergency number: the crowd can never "
          + "warn or block it, which is more protection than the register gives.");
    }
  }

  private static VerifiedCallers.Entry entry(String rawName, String rawCategory, String rawNote, long now,
      String actor) {
    String name = text(rawName);
    if (name == null) {
      throw ApiException.badRequest("missing_field", "A verified caller needs a 'name'.");
    }
    CallerCategory category = CallerCategory.parse(rawCategory).orElseThrow(() -> ApiException.badRequest(
        "invalid_category", "'category' is one of " + java.util.Arrays.toString(CallerCategory.values()) + "."));
    return new VerifiedCallers.Entry(name, category, text(rawNote), now, actor);
  }

  /** Control characters become spaces; blank is null. */
  private static String text(String raw) {
    if (raw == null) {
      return null;
    }
    String t = raw.replaceAll("\\p{Cc}", " ").trim();
    return t.isEmpty() ? null : t;
  }

  private static int limit(String raw) {
    if (raw == null) {
      return DEFAULT_PAGE;
    }
    int limit;
    try {
      limit = Integer.parseInt(raw);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_PAGE) {
      throw ApiException.badRequest("invalid_limit", "'limit' is 1 to " + MAX_PAGE + ".");
    }
    return limit;
  }

  static JsonObject json(String number, VerifiedCallers.Entry e) {
    return new JsonObject().put("number", number).put("name", e.name()).put("category", e.category().name())
        .put("note", e.note()).put("at", Instant.ofEpochMilli(e.atMs()).toString()).put("by", e.by());
  }
}
