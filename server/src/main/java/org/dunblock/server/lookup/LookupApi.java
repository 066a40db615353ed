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
import org.dunblock.server.filter.HashPrefixIndex;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.JsonBodies;
import org.dunblock.server.number.InvalidNumberException;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reputation.Reputation;

/** GET /v1/numbers/{number}, GET /v1/numbers/hash-prefix/{prefix} and POST /v1/numbers/lookup. */
public final class LookupApi {
  public static final int MAX_BATCH = 1000;
  public static final String HASH_PREFIX_ROUTE = "/v1/numbers/hash-prefix/:prefix";
  /**
   * Numbers one hash-prefix answer evaluates at most (each costs a Redis read); a prefix holding more is refused,
   * so a client asks with the longer prefix. 16 bits reach it at about 65 million listed numbers, 20 bits at a
   * billion.
   */
  public static final int MAX_HASH_CANDIDATES = 1000;
  /** The limiter charges a hash-prefix answer one lookup per this many numbers it evaluates (at least one). */
  static final int CANDIDATES_PER_LOOKUP = 16;
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
  private final NumberFilter filter;

  public LookupApi(PhoneNumberNormalizer normalizer, ReputationService reputations, LookupLimiter limiter,
      NumberFilter filter) {
    this.normalizer = normalizer;
    this.reputations = reputations;
    this.limiter = limiter;
    this.filter = filter;
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

  /**
   * The lookup that never names the number (docs/security.md, "Private lookups"): every listed number whose SHA-256
   * starts with the 4 or 5 hex digits of {@code prefix} (16 or 20 bits), each answered as its own lookup would be,
   * under its full hash instead of its number. A number that is absent is unreported (its lookup answers the
   * unreported ALLOW), unless it starts with one of {@code prefixOverrides}: only its own lookup answers those.
   */
  public void hashPrefix(RoutingContext ctx) {
    String prefix = hashPrefix(ctx.pathParam("prefix"));
    HashPrefixIndex index = filter.hashIndex();
    if (index == null) {
      throw new ApiException(503, "index_loading",
          "This instance is still building its index of listed numbers; retry in a few seconds.", 5);
    }
    List<String> numbers = new ArrayList<>();
    List<String> hashes = new ArrayList<>();
    for (String number : index.numbers(Integer.parseInt(prefix.substring(0, 4), 16))) {
      String hash = HashPrefixIndex.sha256(number).toString();
      if (hash.startsWith(prefix)) {
        numbers.add(number);
        hashes.add(hash);
      }
    }
    if (numbers.size() > MAX_HASH_CANDIDATES) {
      throw ApiException.badRequest("hash_prefix_too_broad", "More than " + MAX_HASH_CANDIDATES
          + " listed numbers share this prefix; ask with 5 hex digits.");
    }
    limiter.admit(ctx.request(), Math.max(1, (numbers.size() + CANDIDATES_PER_LOOKUP - 1) / CANDIDATES_PER_LOOKUP));
    List<Future<Reputation>> answers = new ArrayList<>(numbers.size());
    for (String number : numbers) {
      answers.add(reputations.reputation(number));
    }
    Future.join(answers).onComplete(ignored -> {
      java.util.TreeMap<String, JsonObject> listed = new java.util.TreeMap<>();
      boolean degraded = false;
      for (int i = 0; i < numbers.size(); i++) {
        Reputation r = answers.get(i).result();
        JsonObject json = r.toJson();
        // An aged-out record answers as unreported: leaving it out tells the client exactly that.
        if (!r.degraded() && json.equals(Reputation.unreported(numbers.get(i)).toJson())) {
          continue;
        }
        degraded |= r.degraded();
        json.remove("number");
        listed.put(hashes.get(i), new JsonObject().put("sha256", hashes.get(i)).mergeIn(json));
      }
      JsonObject body = new JsonObject().put("prefix", prefix)
          .put("numbers", new JsonArray(new ArrayList<>(listed.values())))
          .put("prefixOverrides", new JsonArray(index.prefixOverrides()));
      if (degraded) {
        body.put("degraded", true);
      }
      ctx.response()
          .putHeader(HttpHeaders.CACHE_CONTROL, degraded ? NO_STORE : CACHEABLE)
          .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
          .end(body.toBuffer());
    });
  }

  /** A hash prefix as asked: 4 or 5 hex digits, in lower case; else 400 invalid_hash_prefix. */
  static String hashPrefix(String raw) {
    if (raw == null || raw.length() < 4 || raw.length() > 5) {
      throw ApiException.badRequest("invalid_hash_prefix",
          "The hash prefix is 4 or 5 hex digits of the SHA-256 of the E.164 number (16 or 20 bits).");
    }
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
        throw ApiException.badRequest("invalid_hash_prefix",
            "The hash prefix is 4 or 5 hex digits of the SHA-256 of the E.164 number (16 or 20 bits).");
      }
    }
    return raw.toLowerCase(java.util.Locale.ROOT);
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
