package org.dunblock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Operator confirmations shorten the maturity ramp by a day each, at most three, and never the first day. */
class ScoringPolicyMaturityTest {
  final ScoringPolicy policy = ScoringPolicy.defaults();

  static long days(double d) {
    return (long) (d * Duration.ofDays(1).toMillis());
  }

  @Test
  void aConfirmationIsWorthADayOfAge() {
    assertEquals(policy.maturity(days(3)), policy.maturity(days(2), 1), 1e-12);
    assertEquals(0.3 + 0.7 * 2 / 6, policy.maturity(days(2), 1), 1e-12);
  }

  @Test
  void confirmationsBeyondThreeAddNothing() {
    assertEquals(policy.maturity(days(5)), policy.maturity(days(2), 3), 1e-12);
    assertEquals(policy.maturity(days(5)), policy.maturity(days(2), 50), 1e-12);
    assertEquals(1.0, policy.maturity(days(4), 50), 1e-12, "4 + 3 days: the whole ramp");
  }

  @Test
  void aTokenWithinItsFirstDayIsFreshWhateverItsConfirmations() {
    assertEquals(0.3, policy.maturity(days(0.5), 3), 1e-12);
    assertEquals(0.3, policy.maturity(-1, 3), 1e-12);
  }

  @Test
  void theRampMovesInWholeDaysSoAScoreStepDoesNotDateTheToken() {
    // Tokens minted at 21:00 and at 09:00 of one day, three days ago: their votes weigh alike (DESIGN.md rule 8).
    assertEquals(policy.maturity(days(3) + Duration.ofHours(3).toMillis()),
        policy.maturity(days(3) + Duration.ofHours(15).toMillis()), 1e-12);
    assertEquals(0.3 + 0.7 * 2 / 6, policy.maturity(days(3) + Duration.ofHours(23).toMillis()), 1e-12);
    assertEquals(0.3 + 0.7 * 3 / 6, policy.maturity(days(4)), 1e-12);
  }
}
