package org.dunblock.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN.md rule 8, beyond the timestamps (PublicTimesIT): a collector that watches its own number's public answer
 * as time passes must not learn when, within a day, the reported calls were made, and so whom it called then. Two
 * numbers reported alike, one about calls at 00:05 UTC and one about calls at 17:30 UTC of the same day, answer
 * alike at every moment: the score, the verdict and the reasons, including the abuse patterns' coming and going.
 */
@ExtendWith(VertxExtension.class)
class CallTimeIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  /**
   * Noon UTC today (not a fixed day: Redis expires the pattern windows by its own clock, so the test's clock must not
   * lie far in the past); the scored calls were made the day before.
   */
  static final Instant NOON = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofHours(12));
  static final Instant CALL_DAY = NOON.truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
  static final Instant EARLY = CALL_DAY.plus(Duration.ofMinutes(5));
  static final Instant LATE = CALL_DAY.plus(Duration.ofHours(17).plusMinutes(30));

  final MutableClock clock = new MutableClock(NOON);
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).clock(clock);

  void reported(String number, String category, Instant call, int reporters) {
    for (int i = 0; i < reporters; i++) {
      JsonObject body = new JsonObject().put("number", number).put("category", category)
          .put("occurredAt", call.plusSeconds(37L * i).toString());
      assertEquals(202, app.api().report(TestTokens.established(clock), "198.51." + (10 + i) + ".7", body)
          .statusCode());
    }
  }

  /** The public answer without the number itself. */
  JsonObject answer(String number) {
    JsonObject r = app.api().lookup(number);
    r.remove("number");
    return r;
  }

  @Test
  void theScoreDoesNotTellTheTimeOfDayOfTheCalls() {
    reported("+8613800138410", "DEBT_COLLECTION", EARLY, 2);
    reported("+8613800138411", "DEBT_COLLECTION", LATE, 2);
    for (Duration later : List.of(Duration.ZERO, Duration.ofHours(3), Duration.ofDays(9), Duration.ofDays(21))) {
      clock.advance(later);
      JsonObject early = answer("+8613800138410");
      assertTrue(early.getDouble("score") > 0, early.encode());
      assertEquals(early, answer("+8613800138411"), "after " + later);
    }
  }

  @Test
  void anAddressBookExplosionEndsAtAMidnightWhateverTheTimeOfTheCalls() {
    // Twelve victims each, within minutes, this morning: an address-book explosion (24-hour window) on both numbers.
    Instant today = NOON.truncatedTo(ChronoUnit.DAYS);
    reported("+8613800138420", "CONTACT_HARASSMENT", today.plus(Duration.ofMinutes(5)), 12);
    reported("+8613800138421", "CONTACT_HARASSMENT", today.plus(Duration.ofHours(11).plusMinutes(30)), 12);
    JsonObject exploded = answer("+8613800138420");
    assertTrue(exploded.getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"), exploded.encode());
    assertEquals(answer("+8613800138420"), answer("+8613800138421"));
    everyHourAlike("+8613800138420", "+8613800138421", 72, "ADDRESS_BOOK_EXPLOSION");
  }

  @Test
  void callBombingEndsAtAMidnightWhateverTheTimeOfTheCalls() {
    // Three silent calls each, at 17:10 and at 17:35, reported at 17:40: both call-bombing (one-hour window).
    Instant today = NOON.truncatedTo(ChronoUnit.DAYS);
    clock.advance(Duration.ofHours(5).plusMinutes(40));
    reported("+8613800138430", "SILENT", today.plus(Duration.ofHours(17).plusMinutes(10)), 3);
    reported("+8613800138431", "SILENT", today.plus(Duration.ofHours(17).plusMinutes(35)), 3);
    JsonObject bombed = answer("+8613800138430");
    assertTrue(bombed.getJsonArray("reasons").contains("CALL_BOMBING"), bombed.encode());
    everyHourAlike("+8613800138430", "+8613800138431", 30, "CALL_BOMBING");
  }

  /** Both numbers answer alike at each of the next {@code hours} hours, and the pattern ends within them. */
  void everyHourAlike(String a, String b, int hours, String pattern) {
    boolean ended = false;
    for (int hour = 0; hour < hours; hour++) {
      clock.advance(Duration.ofMinutes(60));
      JsonObject first = answer(a);
      assertEquals(first, answer(b), "at " + clock.instant());
      ended |= !first.getJsonArray("reasons").contains(pattern);
    }
    assertTrue(ended, pattern + " ended within " + hours + " hours");
  }
}
