package org.dunblock.server.protect;

import org.dunblock.server.reputation.NumberProtection;
import org.dunblock.server.reputation.ProtectionKind;

/**
 * Which numbers are protected (DESIGN.md rule 9): emergency and short service numbers from libphonenumber
 * ({@link ShortNumbers}), and this instance's copy of the register of verified callers. The calculator caps them
 * ({@link ProtectionKind#cap}).
 */
public final class Protection implements NumberProtection {
  private final ShortNumbers shortNumbers;
  private final VerifiedCallers verified;

  public Protection(ShortNumbers shortNumbers, VerifiedCallers verified) {
    this.shortNumbers = shortNumbers;
    this.verified = verified;
  }

  /** Emergency and short service numbers only, with an empty register (tools, unit tests). */
  public static Protection withoutRegister() {
    return new Protection(new ShortNumbers(), new VerifiedCallers());
  }

  /** The number's protection, or null. Emergency beats the register; the register beats a plain service number. */
  @Override
  public ProtectionKind kind(String e164) {
    ProtectionKind kind = shortNumbers.classify(e164);
    if (kind == ProtectionKind.EMERGENCY) {
      return kind;
    }
    return verified.contains(e164) ? ProtectionKind.VERIFIED_CALLER : kind;
  }
}
