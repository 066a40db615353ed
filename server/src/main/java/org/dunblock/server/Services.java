package org.dunblock.server;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.dunblock.server.appeal.AppealStore;
import org.dunblock.server.audit.AuditLog;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.dashboard.LookupRates;
import org.dunblock.server.export.ExportSigningKey;
import org.dunblock.server.export.ExportStore;
import org.dunblock.server.evidence.EvidenceStore;
import org.dunblock.server.filter.NumberFilter;
import org.dunblock.server.filtersync.FilterFeed;
import org.dunblock.server.http.ClientAddress;
import org.dunblock.server.keys.ApiKeyAuth;
import org.dunblock.server.lookup.LookupLimiter;
import org.dunblock.server.lookup.ReputationService;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.override.OverrideStore;
import org.dunblock.server.pattern.Patterns;
import org.dunblock.server.protect.Protection;
import org.dunblock.server.protect.VerifiedCallerStore;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.reputation.ReporterTrust;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.store.RateLimiter;
import org.dunblock.server.store.ReputationStore;

/** The shared, thread-safe parts every API verticle instance is built from. */
public record Services(
    DunblockConfig config,
    Clock clock,
    PhoneNumberNormalizer normalizer,
    ReputationStore store,
    NumberFilter filter,
    ReputationService reputations,
    ReputationCalculator calculator,
    ReporterTokens tokens,
    ClientAddress clientAddress,
    MeterRegistry registry,
    ApiKeyAuth apiKeys,
    OverrideStore overrides,
    AuditLog audit,
    FilterFeed filterFeed,
    ExportStore exports,
    ExportSigningKey exportKey,
    EvidenceStore evidence,
    Patterns patterns,
    AppealStore appeals,
    RateLimiter limiter,
    ReporterTrust trust,
    LookupLimiter lookupLimiter,
    LookupRates lookupRates,
    // Protected numbers (protect/): the classification and the register of verified callers.
    Protection protection,
    VerifiedCallerStore verifiedCallers) {
}
