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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to a report, the twin of the lookups' {@code ReputationService}: admission (the reporter's daily
 * quota and the weight their trust gives, one typed answer), idempotency, the store, the abuse patterns that follow
 * from it, this instance's filter, and the platform aggregates. The API only parses and answers.
 *
 * <p>Failures are the domain's: {@link RateLimitedException} (the reporter's quota or the network's budget spent), {@link IdempotencyKeyReusedException},
 * and the store's unavailability or a timeout (nothing was acknowledged; the client retries).
 */
public final class ReportService {
  private static final Logger LOG = LoggerFactory.getLogger(ReportService.class);
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
    return admitAndStore(r, command)
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
   * Admission, then the store, as admission allows:
   * <ul>
   *   <li>let through with budget left on the network: stored; a new vote (counted) is then charged to the network's
   *       daily budget, re-reports and replays are not;</li>
   *   <li>let through on a network whose budget is spent: stored only if it replaces the reporter's own vote on the
   *       number (report.lua checks it atomically), else refused with the network's retry time;</li>
   *   <li>the reporter's quota spent: a retry of a report already stored is answered from its Idempotency-Key record
   *       (rule 3), atomically in report.lua's replay-only mode, which writes nothing when the record is gone (it
   *       expired): never a new vote past the quota, whatever weight.</li>
   * </ul>
   */
  private Future<ReportOutcome> admitAndStore(ReportRequest r, ReportCommand c) {
    return trust.admit(c.reporterHash(), r.mintedAtMs(), c.networkHash(), r.callerVerification(), c.nowMs(),
        reportsPerDay).transform(admitted -> {
      if (admitted.succeeded()) {
        Admission a = admitted.result();
        RateLimitedException spent = a.networkBudgetSpent();
        return reports.store(c.withWeights(a.weight(), a.quorum(), a.seasoned()),
            spent == null ? ReportStore.Mode.STORE : ReportStore.Mode.REVOTE).compose(outcome -> {
          if (outcome.limited()) {
            return Future.failedFuture(spent);
          }
          if (outcome.counted() && !outcome.replayed()) {
            // Not awaited: the answer does not wait for the budget's bookkeeping (see chargeNetwork).
            trust.chargeNetwork(c.networkHash()).onFailure(e -> LOG.warn("Network budget charge failed: {}",
                e.toString()));
          }
          return Future.succeededFuture(outcome);
        });
      }
      Throwable refusal = admitted.cause();
      if (c.idempotencyKeyHash() == null || !(refusal instanceof RateLimitedException)) {
        return Future.failedFuture(refusal);
      }
      // Weights of nothing: the replay-only mode never stores a vote, and must not be able to.
      return reports.store(c.withWeights(0, 0, false), ReportStore.Mode.REPLAY)
          .compose(outcome -> outcome.limited() ? Future.failedFuture(refusal) : Future.succeededFuture(outcome));
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
