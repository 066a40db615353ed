package org.dunblock.server.report;

import java.text.Normalizer;
import java.util.Locale;

/** Normalises lending-platform names so the same lender counts as one (full-width, case, spacing). */
public final class Platforms {
  private Platforms() {
  }

  public static String normalize(String raw) {
    if (raw == null) {
      return null;
    }
    String s = Normalizer.normalize(raw, Normalizer.Form.NFKC)
        .replaceAll("\\p{C}", "")
        .replace('|', '/')
        .replaceAll("\\s+", " ")
        .trim()
        .toLowerCase(Locale.ROOT);
    return s.isEmpty() ? null : s;
  }
}
