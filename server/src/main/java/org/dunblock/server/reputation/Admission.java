package org.dunblock.server.reputation;

import org.dunblock.server.store.RateLimitedException;

/**
 * A report let through its reporter's quota, and what its vote weighs: {@code weight} in the score (trust x maturity
 * x caller verification), {@code quorum} in the weighted BLOCK quorum (maturity x caller verification, at most 1).
 * {@code seasoned}: the reporter is past its first day (only such votes earn credit from operator decisions).
 * {@code networkBudgetSpent} is null while the reporter's network has budget left for new votes today; otherwise
 * the refusal a new vote gets (re-reports of the reporter's own votes still go through: the budget is charged for
 * new votes only).
 */
public record Admission(double weight, double quorum, boolean seasoned, RateLimitedException networkBudgetSpent) {
}
