package org.dunblock.server.report;

import com.google.common.hash.Hashing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.evidence.EvidenceStore;
import org.dunblock.server.evidence.Platforms;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.reputation.Admission;
import org.dunblock.server.reputation.ReporterTrust;
import org.dunblock.server.store.RateLimitedException;

/**
 * What happens to a report, the twin of the lookups' {@code ReputationService}: admission (the reporter's daily
 * quota and the weight their trust gives, one typed answer), idempotency, the store, the abuse patterns that follow
 * from it, this instance's filter, and the platform aggregates. The API only parses and answers.
 *
 * <p>Failures are the domain's: {@link RateLimitedException} (the reporter's quota or the network's budget spent), {@link IdempotencyKeyReusedException},
 * and the store's unavailability or a timeout (nothing was acknowledged; the client retries).
 */
public final class ReportService {
  private final ReportStore reports;
  private final ReporterTrust trust;
  private final PatternUpdates patterns;
  private final EvidenceStore evidence;
  private final NumberFilter filter;
  private final ReporterTokens tokens;
  private final int reportsPerDay;
  private final long timeoutMs;
  private final Counter counted;
  private final Counter updated;
  private final Counter replayed;
  private final Counter refused;
  private final Counter unavailable;
  private final SecureRandom random = new SecureRandom();

  public ReportService(ReportStore reports, ReporterTrust trust, PatternUpdates patterns, EvidenceStore evidence,
      NumberFilter filter, ReporterTokens tokens, int reportsPerDay, Duration timeout, MeterRegistry registry) {
    this.reports = reports;
    this.trust = trust;
    this.patterns = patterns;
    this.evidence = evidence;
    this.filter = filter;
    this.tokens = tokens;
    this.reportsPerDay = reportsPerDay;
    this.timeoutMs = timeout.toMillis();
    this.counted = outcome(registry, "counted");
    this.updated = outcome(registry, "updated");
    this.replayed = outcome(registry, "replayed");
    this.refused = outcome(registry, "refused");
    this.unavailable = outcome(registry, "unavailable");
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("dunblock.reports").tag("outcome", outcome)
        .description("Reports by what became of them").register(registry);
  }

  /**
   * Admits and stores the report, then updates what follows from it before the future completes, so a lookup after
   * the answer sees it: the abuse patterns (never failing the report) and this instance's filter (other instances
   * follow the change stream).
   */
  public Future<ReportOutcome> submit(ReportRequest r) {
    ReportCommand command = command(r);
    return admit(r, command)
        .compose(admission -> reports.store(command.withWeights(admission.weight(), admission.quorum())))
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .compose(outcome -> {
          if (outcome.replayed() && !outcome.fingerprint().equals(command.fingerprint())) {
            return Future.failedFuture(new IdempotencyKeyReusedException());
          }
          // Replays change nothing, so they have no patterns to update.
          return outcome.replayed() ? Future.succeededFuture(outcome)
              : patterns.afterReport(command, outcome).map(outcome);
        })
        .andThen(ar -> {
          if (ar.failed()) {
            (ar.cause() instanceof RateLimitedException || ar.cause() instanceof IdempotencyKeyReusedException
                ? refused : unavailable).increment();
            return;
          }
          ReportOutcome outcome = ar.result();
          // The number is in Redis now: in our own filter before the answer goes out.
          filter.add(command.number());
          (outcome.replayed() ? replayed : outcome.counted() ? counted : updated).increment();
          // Derived platform aggregates: a failure there is logged and never fails the report.
          evidence.recordPlatform(command.platform(), command.number(), command.reporterHash(), command.category(),
              command.occurredAtMs(), command.nowMs());
        });
  }

  /**
   * The daily quota (retries count too) and the reporter's weight. A retry of a report already stored is answered
   * from its Idempotency-Key record even when the quota is spent (rule 3): the store replays it, whatever weight.
   */
  private Future<Admission> admit(ReportRequest r, ReportCommand c) {
    return trust.admit(c.reporterHash(), r.mintedAtMs(), c.networkHash(), r.callerVerification(), c.nowMs(),
        reportsPerDay).recover(refusal -> {
      if (c.idempotencyKeyHash() == null || !(refusal instanceof RateLimitedException)) {
        return Future.failedFuture(refusal);
      }
      return reports.idempotencyRecorded(c.number(), c.idempotencyKeyHash())
          .compose(stored -> stored ? Future.succeededFuture(Admission.REPLAY) : Future.failedFuture(refusal));
    });
  }

  private ReportCommand command(ReportRequest r) {
    // callerVerification joined the fields later: appended only when present, so earlier fingerprints still match.
    String fingerprint = Hashing.sha256().hashString(String.join("\u0000", r.number(), r.category().name(),
        String.valueOf(r.rawOccurredAt()), String.valueOf(r.rawPlatform()), String.valueOf(r.note()))
        + (r.rawCallerVerification() == null ? "" : "\u0000" + r.rawCallerVerification()),
        StandardCharsets.UTF_8).toString().substring(0, 32);
    // Scoped to reporter and number: the record lives in the number's shard, so the same key on another number is
    // another report everywhere, not only when the two numbers happen to share a shard.
    String idempotencyHash = r.idempotencyKey() == null ? null
        : tokens.keyed("idempotency|" + r.reporterHash() + "|" + r.number() + "|" + r.idempotencyKey());
    return new ReportCommand(r.number(), r.reporterHash(), r.networkHash(), r.category(), r.occurredAtMs(),
        r.nowMs(), Platforms.normalize(r.rawPlatform()), r.note(), newReportId(), idempotencyHash, fingerprint);
  }

  private String newReportId() {
    byte[] id = new byte[12];
    random.nextBytes(id);
    return "rep_" + HexFormat.of().formatHex(id);
  }
}
