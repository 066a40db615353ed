package org.dunblock.server.protect;

import java.util.ArrayList;
import java.util.List;
import org.dunblock.server.reputation.Reasons;
import org.dunblock.server.reputation.Reputation;

/**
 * DESIGN.md rule 9: what crowd evidence and abuse patterns may make of a protected number. Applied by the
 * calculator as a step after the crowd's verdict, so every reader of a record (lookups, batch, evidence, exports,
 * the dashboard) gets the same capped answer.
 *
 * <ul>
 *   <li>{@link ProtectionKind#EMERGENCY}: ALLOW, whatever the crowd and the patterns say. Only an operator override
 *       of the number itself (admin-only, audited) changes that; a prefix override does not reach it.
 *   <li>{@link ProtectionKind#SERVICE} and {@link ProtectionKind#VERIFIED_CALLER}: at most WARN. An operator
 *       override of the number or of a prefix covering it decides.
 * </ul>
 *
 * When the cap lowers a verdict, {@link Reasons#PROTECTED_NUMBER} is added (the crowd's reasons stay, as the review
 * signal they are). A number nobody reported is ALLOW, within every cap, so its answer is the plain unreported one:
 * the filter's fast path needs no protection check and stays exact.
 */
public final class Protection {
  private final ShortNumbers shortNumbers;
  private final VerifiedCallers verified;

  public Protection(ShortNumbers shortNumbers, VerifiedCallers verified) {
    this.shortNumbers = shortNumbers;
    this.verified = verified;
  }

  /** Emergency and short service numbers only: for calculators built without a register (tools, unit tests). */
  public static Protection withoutRegister() {
    return new Protection(new ShortNumbers(), new VerifiedCallers());
  }

  /** The number's protection, or null. Emergency beats the register; the register beats a plain service number. */
  public ProtectionKind kind(String e164) {
    ProtectionKind kind = shortNumbers.classify(e164);
    if (kind == ProtectionKind.EMERGENCY) {
      return kind;
    }
    return verified.contains(e164) ? ProtectionKind.VERIFIED_CALLER : kind;
  }

  public VerifiedCallers register() {
    return verified;
  }

  /** Whether a prefix override may decide for a number of this kind (never for an emergency number). */
  public static boolean prefixOverrideApplies(ProtectionKind kind) {
    return kind != ProtectionKind.EMERGENCY;
  }

  /**
   * The answer capped for {@code kind}.
   *
   * @param overridden whether an operator override that applies to this kind decided the verdict
   */
  public static Reputation cap(ProtectionKind kind, Reputation found, boolean overridden) {
    if (kind == null || overridden || found.verdict().ordinal() <= kind.ceiling().ordinal()) {
      return found;
    }
    List<String> reasons = new ArrayList<>(found.reasons());
    reasons.add(Reasons.PROTECTED_NUMBER);
    return new Reputation(found.number(), kind.ceiling(), found.score(), found.reports(), found.reporters(),
        found.networks(), found.categories(), List.copyOf(reasons), found.firstReported(), found.lastReported(),
        found.degraded(), found.platforms());
  }
}
