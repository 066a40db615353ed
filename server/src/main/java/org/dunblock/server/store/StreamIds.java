package org.dunblock.server.store;

/** Redis stream ids ("ms-seq") compared as numbers, not strings. */
public final class StreamIds {
  private StreamIds() {
  }

  public static int compare(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int c = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, da)),
        Long.parseUnsignedLong(b.substring(0, db)));
    return c != 0 ? c : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(da + 1)),
        Long.parseUnsignedLong(b.substring(db + 1)));
  }
}
