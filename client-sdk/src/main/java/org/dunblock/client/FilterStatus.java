package org.dunblock.client;

import java.time.Instant;

/** The state of the local filter. */
public final class FilterStatus {
  private final boolean ready;
  private final String version;
  private final long capacity;
  private final long numbersAdded;
  private final Instant snapshotAt;
  private final Instant lastSync;

  FilterStatus(boolean ready, String version, long capacity, long numbersAdded, Instant snapshotAt,
      Instant lastSync) {
    this.ready = ready;
    this.version = version;
    this.capacity = capacity;
    this.numbersAdded = numbersAdded;
    this.snapshotAt = snapshotAt;
    this.lastSync = lastSync;
  }

  /** False until a verified filter is loaded; until then screen() asks the server for every number. */
  public boolean ready() {
    return ready;
  }

  /** The filter version held (opaque). */
  public String version() {
    return version;
  }

  public long capacity() {
    return capacity;
  }

  /** Numbers added from changes since the snapshot. */
  public long numbersAdded() {
    return numbersAdded;
  }

  public Instant snapshotAt() {
    return snapshotAt;
  }

  /** The last successful sync with the server, or null. */
  public Instant lastSync() {
    return lastSync;
  }

  @Override
  public String toString() {
    return ready ? "FilterStatus{version=" + version + " capacity=" + capacity + " added=" + numbersAdded
        + " snapshotAt=" + snapshotAt + " lastSync=" + lastSync + "}" : "FilterStatus{not ready}";
  }
}
