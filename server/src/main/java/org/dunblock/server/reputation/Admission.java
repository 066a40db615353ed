package org.dunblock.server.reputation;

/** A report let through the reporter's quota, and the weight its vote carries. */
public record Admission(double weight) {
  /** A retry of a report already stored: the store answers it from its record, the weight is never used. */
  public static final Admission REPLAY = new Admission(1.0);
}
