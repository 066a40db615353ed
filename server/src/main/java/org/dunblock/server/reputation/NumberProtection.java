package org.dunblock.server.reputation;

/** Which numbers are protected from the crowd (DESIGN.md rule 9); implemented in protect/. */
@FunctionalInterface
public interface NumberProtection {
  /** No number is protected: for calculators that only test the crowd's own logic. */
  NumberProtection NONE = e164 -> null;

  /** The number's protection, or null. */
  ProtectionKind kind(String e164);
}
