package org.dunblock.client.internal;

/** Read access to {@link FilterState} for the public API package. */
public final class FilterStates {
  private FilterStates() {
  }

  public static String version(FilterState s) {
    return s.version;
  }

  public static long capacity(FilterState s) {
    return s.capacity;
  }

  public static long added(FilterState s) {
    return s.added;
  }

  public static long snapshotAt(FilterState s) {
    return s.snapshotAtMs;
  }
}
