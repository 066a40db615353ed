package org.dunblock.server.protect;

import org.dunblock.server.reputation.Verdict;

/**
 * Why a number is protected from the crowd (DESIGN.md rule 9), and the most the crowd and the abuse patterns may
 * make of it. Only an operator override goes further (see {@link Protection}).
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
}
