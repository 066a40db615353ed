package org.dunblock.server.protect;

import java.util.Locale;
import java.util.Optional;

/** What kind of organisation a verified caller is; for operators and evidence, never for scoring. */
public enum CallerCategory {
  BANK,
  HOSPITAL,
  GOVERNMENT,
  COURIER,
  UTILITY,
  OTHER;

  public static Optional<CallerCategory> parse(String raw) {
    if (raw == null) {
      return Optional.of(OTHER);
    }
    try {
      return Optional.of(valueOf(raw.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
