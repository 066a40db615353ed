package org.dunblock.server.report;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Set;
import org.dunblock.server.config.ScoringPolicy;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.http.BearerToken;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.http.JsonBodies;
import org.dunblock.server.http.Responses;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.reputation.CallerVerification;
import org.dunblock.server.reputation.Category;

/**
 * POST /v1/reports: reads and checks a reporter's vote on a number and answers what {@link ReportService} made of
 * it (stored atomically, idempotent with Idempotency-Key).
 */
public final class ReportApi {
  static final Set<String> FIELDS = Set.of("number", "category", "region", "platform", "occurredAt", "note",
      "callerVerification");
  public static final int MAX_NOTE = 1000;
  public static final int MAX_PLATFORM = 100;
  public static final int MAX_IDEMPOTENCY_KEY = 255;
  /** The header with the phone's clock at send time (ISO-8601 with offset, or epoch milliseconds). */
  public static final String CLIENT_TIME = "X-Client-Time";
  /**
   * The largest difference between the phone's clock and ours that is taken as a wrong phone clock and corrected;
   * beyond it the header is ignored and occurredAt is judged as sent.
   */
  public static final Duration MAX_CLIENT_TIME_SKEW = Duration.ofHours(24);

  private final PhoneNumberNormalizer normalizer;
  private final ReporterTokens tokens;
  private final ClientAddress clientAddress;
  private final ReportService reports;
  private final Clock clock;
  private final ScoringPolicy policy;

  public ReportApi(PhoneNumberNormalizer normalizer, ReporterTokens tokens, ClientAddress clientAddress,
      ReportService reports, Clock clock, ScoringPolicy policy) {
    this.normalizer = normalizer;
    this.tokens = tokens;
    this.clientAddress = clientAddress;
    this.reports = reports;
    this.clock = clock;
    this.policy = policy;
  }

  public void report(RoutingContext ctx) {
    // The token's mint time comes with the reporter's hash: a fresh reporter's vote weighs less (rule 4).
    ReporterTokens.Verified reporter = authenticate(ctx);
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
    // How the phone network verified the caller: a FAILED (spoofed) call weighs less.
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
    Long clientTime = clientTime(ctx.request().getHeader(CLIENT_TIME));
    long occurred = occurredAt(rawOccurred, now, clientTime);
    String network = tokens.networkHash(clientAddress.of(ctx.request()));

    reports.submit(new ReportRequest(number, category, reporter.hash(), reporter.mintedAtMs(), network, occurred, now,
        rawOccurred, rawPlatform, note, rawVerification, verification, idempotencyKey)).onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause() instanceof IdempotencyKeyReusedException reused
                ? new ApiException(422, "idempotency_key_reused", reused.getMessage())
                : ar.cause());
            return;
          }
          ReportOutcome outcome = ar.result();
          if (outcome.replayed()) {
            ctx.response().putHeader("Idempotent-Replayed", "true");
          }
          Responses.json(ctx, 202, new JsonObject()
              .put("reportId", outcome.reportId())
              .put("number", number)
              .put("counted", outcome.counted()));
        });
  }

  private ReporterTokens.Verified authenticate(RoutingContext ctx) {
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

  /**
   * The phone's clock at send time from {@code X-Client-Time}, or null without the header. An ISO-8601 time with
   * offset or a count of epoch milliseconds; anything else is the client's error.
   */
  static Long clientTime(String raw) {
    if (raw == null) {
      return null;
    }
    String v = raw.trim();
    try {
      if (!v.isEmpty() && v.length() <= 15 && v.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Long.parseLong(v);
      }
      if (v.length() <= 64) {
        return OffsetDateTime.parse(v).toInstant().toEpochMilli();
      }
    } catch (DateTimeParseException | ArithmeticException e) {
      // the answer below
    }
    throw ApiException.badRequest("invalid_client_time", "'" + CLIENT_TIME
        + "' must be the sending device's clock as an ISO-8601 time with offset (2026-11-22T09:30:00+08:00) or as"
        + " epoch milliseconds.");
  }

  /**
   * The call's time on the server's clock. With {@code X-Client-Time} within {@link #MAX_CLIENT_TIME_SKEW} of now,
   * occurredAt (read on the phone's clock) is shifted by the clocks' difference first; the limits below then hold
   * for the shifted time, so the header cannot date a call anywhere an occurredAt alone could not.
   */
  private long occurredAt(String raw, long now, Long clientTime) {
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
    if (clientTime != null) {
      long skew = now - clientTime;
      if (Math.abs(skew) <= MAX_CLIENT_TIME_SKEW.toMillis()) {
        try {
          occurred = Math.addExact(occurred, skew);
        } catch (ArithmeticException e) {
          // An occurredAt at the end of time: the checks below refuse it either way.
        }
      }
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
}
