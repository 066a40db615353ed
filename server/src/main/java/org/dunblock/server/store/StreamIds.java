package org.dunblock.server.store;

/** Redis stream ids ("ms-seq") compared as numbers, not strings. */
public final class StreamIds {
  private StreamIds() {
  }

  public static int compare(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int c = Long.compare(Long.parseLong(a.substring(0, da)), Long.parseLong(b.substring(0, db)));
    return c != 0 ? c : Long.compare(Long.parseLong(a.substring(da + 1)), Long.parseLong(b.substring(db + 1)));
  }
}
