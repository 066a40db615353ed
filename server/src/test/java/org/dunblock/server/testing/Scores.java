package org.dunblock.server.testing;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.dunblock.server.config.ScoringPolicy;

/**
 * The public score of votes about calls of today, as the server computes it at the default scoring policy. A vote's
 * mass decays from the start (UTC) of its call's day (DESIGN.md rule 8, docs/scoring.md), so even a report of a call
 * made a second ago weighs its weight times the decay since midnight: up to 2.3 % less late in the day.
 */
public final class Scores {
  private Scores() {
  }

  /** The decay factor of a vote about a call of today, looked up at {@code clock}'s now. */
  public static double todaysDecay(Clock clock) {
    long now = clock.millis();
    long midnight = clock.instant().truncatedTo(ChronoUnit.DAYS).toEpochMilli();
    return Math.pow(2, -(double) (now - midnight) / ScoringPolicy.DEFAULT_HALF_LIFE.toMillis());
  }

  /**
   * The score (rounded as answers round it) of negative votes weighing {@code mass} in all, about calls of today,
   * with no counter-votes: {@code m / (m + prior)} with m decayed since midnight.
   */
  public static double today(double mass, Clock clock) {
    double m = mass * todaysDecay(clock);
    return Math.round(m / (m + ScoringPolicy.DEFAULT_PRIOR) * 1000) / 1000.0;
  }
}
