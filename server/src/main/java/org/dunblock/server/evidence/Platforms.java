package org.dunblock.server.evidence;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Normalises lending-platform names so the same lender counts as one, however a victim typed it: Unicode NFKC
 * (full-width letters, digits and punctuation become half-width, half-width katakana full-width, compatibility
 * forms folded), invisible and control characters dropped, any run of spaces (ideographic, no-break, ...) made one
 * space, trimmed, lower case. The result is stable: normalising it again changes nothing.
 */
public final class Platforms {
  private static final Pattern INVISIBLE = Pattern.compile("\\p{C}");
  private static final Pattern SPACES = Pattern.compile("[\\s\\p{Z}]+");

  private Platforms() {
  }

  public static String normalize(String raw) {
    if (raw == null) {
      return null;
    }
    String s = SPACES.matcher(INVISIBLE.matcher(Normalizer.normalize(raw, Normalizer.Form.NFKC)).replaceAll("")
        .replace('|', '/')).replaceAll(" ")
        .strip()
        .toLowerCase(Locale.ROOT);
    // Lower-casing can leave a string NFKC would still change (rare, e.g. a dotted capital I); fold it once more.
    s = Normalizer.normalize(s, Normalizer.Form.NFKC);
    return s.isEmpty() ? null : s;
  }
}
