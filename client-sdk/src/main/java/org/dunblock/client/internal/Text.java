package org.dunblock.client.internal;

/**
 * String checks that Android lacks at the SDK's minSdk: {@code String.isBlank()} is API 33, and the build's
 * animal-sniffer check (client-sdk/pom.xml) refuses it.
 */
public final class Text {
  private Text() {}

  /** Null, empty or only whitespace, with {@code String.isBlank()}'s meaning of whitespace. */
  public static boolean isBlank(String s) {
    if (s == null) {
      return true;
    }
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (!Character.isWhitespace(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }
}
