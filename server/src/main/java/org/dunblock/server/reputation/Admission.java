package org.dunblock.server.reputation;

/**
 * A report let through its reporter's quota and its network's budget, and what its vote weighs: {@code weight} in
 * the score (trust x maturity x caller verification), {@code quorum} in the weighted BLOCK quorum (maturity x caller
 * verification, at most 1).
 */
public record Admission(double weight, double quorum) {
  /** A vote of an established reporter at trust 1. */
  public static final Admission FULL = new Admission(1.0, 1.0);
  /** A retry of a report already stored: the store answers it from its record, the weights are never used. */
  public static final Admission REPLAY = FULL;
}
