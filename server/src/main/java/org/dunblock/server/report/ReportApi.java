package org.dunblock.server.report;

import com.google.common.hash.Hashing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.config.ScoringPolicy;
import org.dunblock.server.evidence.EvidenceStore;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.BearerToken;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.http.JsonBodies;
import org.dunblock.server.http.Responses;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.pattern.Patterns;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.reputation.CallerVerification;
import org.dunblock.server.reputation.Category;
import org.dunblock.server.reputation.ReporterTrust;
import org.dunblock.server.store.ReportCommand;
import org.dunblock.server.store.ReportOutcome;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.ReputationStore;

/** POST /v1/reports: a reporter's vote on a number, stored atomically, idempotent with Idempotency-Key. */
public final class ReportApi {
  static final Set<String> FIELDS = Set.of("number", "category", "region", "platform", "occurredAt", "note",
      "callerVerification"); // trust-weights: callerVerification (issue 15, item 4)
  public static final int MAX_NOTE = 1000;
  public static final int MAX_PLATFORM = 100;
  public static final int MAX_IDEMPOTENCY_KEY = 255;

  private final PhoneNumberNormalizer normalizer;
  private final ReporterTokens tokens;
  private final ClientAddress clientAddress;
  private final ReputationStore store;
  private final NumberFilter filter;
  private final Clock clock;
  private final ScoringPolicy policy;
  private final long timeoutMs;
  private final Map<String, Counter> outcomes = new HashMap<>();
  private final EvidenceStore evidence;
  private final ReporterTrust trust;
  private final int reportsPerDay;
  private final Patterns patterns;
  private final SecureRandom random = new SecureRandom();

  public ReportApi(DunblockConfig config, PhoneNumberNormalizer normalizer, ReporterTokens tokens,
      ClientAddress clientAddress, ReputationStore store, NumberFilter filter, Clock clock, MeterRegistry registry,
      EvidenceStore evidence, ReporterTrust trust, Patterns patterns) {
    this.trust = trust;
    this.reportsPerDay = config.reportsPerReporterPerDay();
    this.normalizer = normalizer;
    this.tokens = tokens;
    this.clientAddress = clientAddress;
    this.store = store;
    this.filter = filter;
    this.clock = clock;
    this.policy = config.scoring();
    this.timeoutMs = config.redisTimeout().toMillis();
    for (String outcome : new String[] {"counted", "updated", "replayed", "refused", "unavailable"}) {
      outcomes.put(outcome, Counter.builder("dunblock.reports").tag("outcome", outcome)
          .description("Reports by what became of them").register(registry));
    }
    this.evidence = evidence;
    this.patterns = patterns;
  }

  public void report(RoutingContext ctx) {
    // trust-weights: the token's mint time comes with the reporter's hash (reporter maturity, issue 15 item 2).
    ReporterTokens.Verified verified = authenticate(ctx);
    String reporter = verified.hash();
    String idempotencyKey = ctx.request().getHeader("Idempotency-Key");
    if (idempotencyKey != null && (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY
        || !idempotencyKey.chars().allMatch(c -> c >= 0x21 && c <= 0x7e))) {
      throw ApiException.badRequest("invalid_idempotency_key",
          "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY + " printable ASCII characters.");
    }
    JsonObject body = JsonBodies.object(ctx, FIELDS);
    String rawNumber = JsonBodies.requiredString(body, "number", 200);
    String rawCategory = JsonBodies.requiredString(body, "category", 64);
    String rawRegion = JsonBodies.string(body, "region", 8);
    String rawPlatform = JsonBodies.string(body, "platform", MAX_PLATFORM);
    String rawOccurred = JsonBodies.string(body, "occurredAt", 64);
    String note = JsonBodies.string(body, "note", MAX_NOTE);
    // trust-weights: how the network verified the caller; a FAILED (spoofed) call weighs less (issue 15 item 4).
    String rawVerification = JsonBodies.string(body, "callerVerification", 32);
    CallerVerification verification = CallerVerification.parse(rawVerification).orElseThrow(() ->
        ApiException.badRequest("invalid_caller_verification", "Unknown callerVerification '"
            + rawVerification.replaceAll("\\p{C}", "?") + "'; use one of "
            + java.util.Arrays.toString(CallerVerification.values()) + "."));

    String number = normalizer.normalize(rawNumber, normalizer.region(rawRegion));
    Category category = Category.parse(rawCategory).orElseThrow(() -> ApiException.badRequest("invalid_category",
        "Unknown category '" + rawCategory.replaceAll("\\p{C}", "?") + "'; use one of "
            + java.util.Arrays.toString(Category.values()) + "."));
    long now = clock.millis();
    long occurred = occurredAt(rawOccurred, now);

    String fingerprint = Hashing.sha256().hashString(String.join("\u0000", number, category.name(),
        String.valueOf(rawOccurred), String.valueOf(rawPlatform), String.valueOf(note))
        + (rawVerification == null ? "" : "\u0000" + rawVerification), StandardCharsets.UTF_8) // trust-weights
        .toString().substring(0, 32);
    String network = tokens.networkHash(clientAddress.of(ctx.request()));
    String platform = Platforms.normalize(rawPlatform);
    String reportId = newReportId();
    // Scoped to reporter and number: the record lives in the number's shard, so the same key on another
    // number is another report everywhere, not only when the two numbers happen to share a shard.
    String idempotencyHash = idempotencyKey == null ? null
        : tokens.keyed("idempotency|" + reporter + "|" + number + "|" + idempotencyKey);

    // The reporter's daily quota first (retries count too); it also tells the weight the reporter's trust gives.
    ReportCommand command = new ReportCommand(number, reporter, network, category, occurred, now, platform, note,
        reportId, idempotencyHash, fingerprint);
    // The daily quota (retries count too) also tells the weight the reporter's trust gives. A retry of a report
    // already stored is answered from its Idempotency-Key record even when the quota is spent (rule 3).
    // trust-weights: admission also spends the network's daily budget and weighs maturity and caller verification.
    trust.admit(reporter, verified.mintedAtMs(), network, verification, now, reportsPerDay)
        .recover(refused -> idempotencyHash == null || !(refused instanceof ApiException limited)
            || limited.status() != 429
            ? Future.failedFuture(refused)
            : store.call(redis -> redis.exists(KeySchema.idempotency(number, idempotencyHash)))
                .compose(n -> n > 0 ? Future.succeededFuture(ReporterTrust.VoteWeight.FULL)
                    : Future.failedFuture(refused)))
        .compose(weight -> store.report(command.withWeights(weight.weight(), weight.quorum())))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.failed()) {
        outcomes.get(ar.cause() instanceof ApiException ? "refused" : "unavailable").increment();
        ctx.fail(ar.cause());
        return;
      }
      ReportOutcome outcome = ar.result();
      if (outcome.replayed() && !outcome.fingerprint().equals(fingerprint)) {
        ctx.fail(new ApiException(422, "idempotency_key_reused",
            "This Idempotency-Key was already used for a different report."));
        return;
      }
      // Abuse patterns before the answer, so a lookup after a 202 sees them (never fails; replays change nothing).
      (outcome.replayed() ? Future.<Void>succeededFuture() : patterns.afterReport(command, outcome))
          .onComplete(done -> answer(ctx, command, number, outcome));
    });
  }

  private void answer(RoutingContext ctx, ReportCommand command, String number, ReportOutcome outcome) {
    // The number is in Redis now; put it in our own filter before answering (others get it from the stream).
    filter.add(number);
    outcomes.get(outcome.replayed() ? "replayed" : outcome.counted() ? "counted" : "updated").increment();
    if (outcome.replayed()) {
      ctx.response().putHeader("Idempotent-Replayed", "true");
    }
    Responses.json(ctx, 202, new JsonObject()
        .put("reportId", outcome.reportId())
        .put("number", number)
        .put("counted", outcome.counted()));
    // Derived platform aggregates, after the answer: a failure there is logged and never fails the report.
    evidence.recordPlatform(command);
  }

  private ReporterTokens.Verified authenticate(RoutingContext ctx) { // trust-weights: was String (the hash)
    String header = ctx.request().getHeader("Authorization");
    if (header == null || header.isBlank()) {
      ctx.response().putHeader("WWW-Authenticate", "Bearer");
      throw new ApiException(401, "missing_token",
          "Reports need 'Authorization: Bearer <token>'; get a token from POST /v1/reporters.");
    }
    return tokens.verify(BearerToken.of(ctx.request())).orElseThrow(() -> {
      ctx.response().putHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      return new ApiException(401, "invalid_token", "The reporter token is not valid.");
    });
  }

  private long occurredAt(String raw, long now) {
    if (raw == null) {
      return now;
    }
    long occurred;
    try {
      occurred = OffsetDateTime.parse(raw).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw ApiException.badRequest("invalid_occurred_at",
          "'occurredAt' must be an ISO-8601 time with offset, e.g. 2026-11-22T09:30:00+08:00.");
    }
    if (occurred > now + policy.maxClockSkew().toMillis()) {
      throw ApiException.badRequest("occurred_in_future", "'occurredAt' is in the future.");
    }
    if (occurred < now - policy.maxReportAge().toMillis()) {
      throw ApiException.badRequest("report_too_old", "Calls older than "
          + policy.maxReportAge().toDays() + " days cannot be reported; the number may have a new owner by now.");
    }
    return Math.min(occurred, now);
  }

  private String newReportId() {
    byte[] id = new byte[12];
    random.nextBytes(id);
    return "rep_" + HexFormat.of().formatHex(id);
  }
}
