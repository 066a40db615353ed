package org.dunblock.client;

/** What an app should do with a call. */
public enum Verdict {
  /** Let it ring. */
  ALLOW,
  /** Let it ring with a warning (reported, but not enough to block). */
  WARN,
  /** Reject it: enough distinct reporters on distinct networks. */
  BLOCK;

  /**
   * The verdict a server sent. A verdict this SDK does not know (a newer server's) is read as {@link #WARN}: the
   * server says something about the number, yet this app cannot tell whether to block, so the call rings with a
   * warning. Never throws.
   */
  public static Verdict parse(String verdict) {
    if (verdict != null) {
      for (Verdict v : values()) {
        if (v.name().equalsIgnoreCase(verdict.trim())) {
          return v;
        }
      }
    }
    return WARN;
  }
}
