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

  @Test
  void aCollectorProbingWithItsOwnReportsLearnsNoCallTime() {
    // One victim each, whose calls were at 17:10 and 17:35, both reported at 17:40.
    Instant today = NOON.truncatedTo(ChronoUnit.DAYS);
    clock.advance(Duration.ofHours(5).plusMinutes(40));
    reported("+8613800138440", "SILENT", today.plus(Duration.ofHours(17).plusMinutes(10)), 1);
    reported("+8613800138441", "SILENT", today.plus(Duration.ofHours(17).plusMinutes(35)), 1);
    // The collector's own tokens send a report every ten minutes, to both numbers alike: silent calls it dates
    // just inside a bombing window of the victims' calls (so two of them complete the pattern with a victim's
    // call, if the victims' call times counted), and other calls (which recompute the windows).
    for (int step = 0; step < 24; step++) {
      clock.advance(Duration.ofMinutes(10));
      String token = TestTokens.established(clock);
      String network = "203.0." + (100 + step) + ".9";
      boolean silent = step % 2 == 0;
      for (String number : List.of("+8613800138440", "+8613800138441")) {
        JsonObject body = new JsonObject().put("number", number).put("category", silent ? "SILENT" : "TELEMARKETING")
            .put("occurredAt", clock.instant().minus(Duration.ofMinutes(silent ? 55 : 1)).toString());
        assertEquals(202, app.api().report(token, network, body).statusCode());
      }
      assertEquals(answer("+8613800138440"), answer("+8613800138441"), "at " + clock.instant());
    }
  }

  @Test
  void staleVotesLeaveAtAMidnight() {
    reported("+8613800138450", "DEBT_COLLECTION", EARLY, 3);
    reported("+8613800138451", "DEBT_COLLECTION", LATE, 3);
    // Sixty days after the calls (the report age limit), a collector's report at 01:00 and at 18:00 of that day
    // makes the old votes leave for both numbers at once, or for neither.
    Instant limitDay = CALL_DAY.plus(Duration.ofDays(60));
    List<Instant> probes = List.of(limitDay.plus(Duration.ofHours(1)), limitDay.plus(Duration.ofHours(18)),
        limitDay.plus(Duration.ofHours(25)));
    for (Instant probe : probes) {
      clock.advance(Duration.between(clock.instant(), probe));
      String token = TestTokens.established(clock);
      for (String number : List.of("+8613800138450", "+8613800138451")) {
        JsonObject body = new JsonObject().put("number", number).put("category", "TELEMARKETING");
        assertEquals(202, app.api().report(token, "203.0." + (50 + probes.indexOf(probe)) + ".9", body).statusCode());
      }
      JsonObject early = answer("+8613800138450");
      assertEquals(early, answer("+8613800138451"), "at " + probe);
    }
    assertEquals(3, answer("+8613800138450").getLong("reporters"), "the call day's votes left, the probes stay");
  }

  @Test
  void historyCutsDaysAtTheSameMidnightAsEveryOtherField() {
    // A call at 20:00 UTC is on the next local day in China: the history must not say so beside the UTC dates.
    reported("+8613800138460", "DEBT_COLLECTION", CALL_DAY.plus(Duration.ofHours(20)), 1);
    reported("+8613800138461", "DEBT_COLLECTION", CALL_DAY.plus(Duration.ofHours(3)), 1);
    JsonObject a = app.api().get("/v1/numbers/+8613800138460/history").bodyAsJsonObject();
    JsonObject b = app.api().get("/v1/numbers/+8613800138461/history").bodyAsJsonObject();
    assertEquals("UTC", a.getString("timeZone"));
    assertEquals(a.getJsonObject("reportsPerDay"), b.getJsonObject("reportsPerDay"));
    assertEquals(answer("+8613800138460"), answer("+8613800138461"));
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
