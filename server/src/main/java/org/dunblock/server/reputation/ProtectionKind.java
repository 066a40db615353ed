package org.dunblock.server.reputation;

import java.util.ArrayList;
import java.util.List;

/**
 * Why a number is protected from the crowd (DESIGN.md rule 9), and the most the crowd and the abuse patterns may
 * make of it: the calculator applies {@link #cap} as a step after the crowd's verdict. Which numbers are protected
 * is decided in protect/ ({@link NumberProtection}).
 *
 * <ul>
 *   <li>{@link #EMERGENCY}: ALLOW, whatever the crowd and the patterns say. Only an operator override of the number
 *       itself (admin-only, audited) changes that; a prefix override does not reach it.
 *   <li>{@link #SERVICE} and {@link #VERIFIED_CALLER}: at most WARN. An operator override of the number or of a
 *       prefix covering it decides.
 * </ul>
 *
 * When the cap lowers a verdict, {@link Reasons#PROTECTED_NUMBER} is added (the crowd's reasons stay, as the review
 * signal they are). A number nobody reported is ALLOW, within every cap, so its answer is the plain unreported one:
 * the filter's fast path needs no protection check and stays exact.
 */
public enum ProtectionKind {
  /** An emergency number of its region (police, fire, ambulance, 112, 911 ...): always ALLOW from the crowd. */
  EMERGENCY(Verdict.ALLOW),
  /** Another short service number of its region (95588, 10086, 12321 ...): at most WARN from the crowd. */
  SERVICE(Verdict.WARN),
  /** On the operators' register of verified callers (banks, hospitals, government lines ...): at most WARN. */
  VERIFIED_CALLER(Verdict.WARN);

  private final Verdict ceiling;

  ProtectionKind(Verdict ceiling) {
    this.ceiling = ceiling;
  }

  /** The highest verdict crowd evidence and abuse patterns may give a number of this kind. */
  public Verdict ceiling() {
    return ceiling;
  }

  /** Whether a prefix override may decide for a number of this kind (never for an emergency number). */
  public boolean prefixOverrideApplies() {
    return this != EMERGENCY;
  }

  /**
   * The answer capped for this kind.
   *
   * @param overridden whether an operator override that applies to this kind decided the verdict
   */
  public Reputation cap(Reputation found, boolean overridden) {
    if (overridden || found.verdict().ordinal() <= ceiling.ordinal()) {
      return found;
    }
    List<String> reasons = new ArrayList<>(found.reasons());
    reasons.add(Reasons.PROTECTED_NUMBER);
    return new Reputation(found.number(), ceiling, found.score(), found.reports(), found.reporters(),
        found.networks(), found.categories(), List.copyOf(reasons), found.firstReported(), found.lastReported(),
        found.degraded(), found.platforms());
  }
}
