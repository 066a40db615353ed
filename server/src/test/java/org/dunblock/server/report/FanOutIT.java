package org.dunblock.server.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Address-book explosion and call-bombing: sliding windows of distinct victims, evaluated at lookup time. */
@ExtendWith(VertxExtension.class)
class FanOutIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  final MutableClock clock = new MutableClock(Instant.now());
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).clock(clock);

  Api api() {
    return app.api();
  }

  void report(String number, String category, String ip, Duration ago) {
    JsonObject body = new JsonObject().put("number", number).put("category", category)
        .put("occurredAt", clock.instant().minus(ago).toString());
    assertEquals(202, api().report(api().establishedToken(), ip, body).statusCode());
  }

  /** Moves the clock a minute past the first UTC midnight after {@code ahead} from now. */
  void advancePastMidnightAfter(Duration ahead) {
    Instant end = clock.instant().plus(ahead);
    Instant midnight = end.truncatedTo(java.time.temporal.ChronoUnit.DAYS).plus(Duration.ofDays(1));
    clock.advance(Duration.between(clock.instant(), midnight).plusMinutes(1));
  }

  @Test
  void aCollectorCallingTwentyContactsOfOneBorrowerIsAnAddressBookExplosionForADay() {
    // Twenty people in one borrower's address book, on seven networks, called within the same hour.
    for (int i = 0; i < 20; i++) {
      report("13900139000", "CONTACT_HARASSMENT", "203.0." + (i % 7) + "." + (10 + i), Duration.ofMinutes(3L * i));
    }
    JsonObject r = api().lookup("13900139000");
    assertEquals("BLOCK", r.getString("verdict"));
    assertEquals(new JsonArray().add("CROWD_REPORTS").add("ADDRESS_BOOK_EXPLOSION"), r.getJsonArray("reasons"));

    // The pattern holds until the UTC midnight after the window ends (rounded up so it does not date the calls).
    advancePastMidnightAfter(Duration.ofHours(24));
    JsonObject later = api().lookup("13900139000");
    assertFalse(later.getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"), later.encode());
    assertEquals("BLOCK", later.getString("verdict"), "the crowd's reports still stand");
  }

  @Test
  void counterVotesDoNotHideAFanOutButItNeverBlocksOnItsOwn() {
    for (int i = 1; i <= 3; i++) {
      report("13900139001", "CONTACT_HARASSMENT", "198.51." + i + ".7", Duration.ofHours(2L * i));
    }
    // The collector's friends vouch for the number: the crowd score falls to 3 / (3 + 6 + 2), under WARN.
    for (int i = 1; i <= 6; i++) {
      report("13900139001", "LEGITIMATE", "192.0." + i + ".9", Duration.ZERO);
    }
    JsonObject r = api().lookup("13900139001");
    assertEquals("WARN", r.getString("verdict"));
    assertEquals(new JsonArray().add("COUNTER_VOTES").add("ADDRESS_BOOK_EXPLOSION"), r.getJsonArray("reasons"));
    assertTrue(r.getDouble("score") < 0.3, r.encode());

    // The oldest call leaves the 24-hour window 18 hours from now: three victims no longer stand within a day (from
    // the midnight after that on).
    advancePastMidnightAfter(Duration.ofHours(24));
    JsonObject later = api().lookup("13900139001");
    assertEquals("ALLOW", later.getString("verdict"), later.encode());
    assertEquals(new JsonArray().add("COUNTER_VOTES"), later.getJsonArray("reasons"));
  }

  @Test
  void victimsOnTooFewNetworksOrSpreadOverMoreThanADayAreNoExplosion() {
    report("13900139002", "CONTACT_HARASSMENT", "198.51.100.1", Duration.ZERO);
    report("13900139002", "CONTACT_HARASSMENT", "198.51.100.2", Duration.ZERO);
    report("13900139002", "CONTACT_HARASSMENT", "203.0.113.1", Duration.ZERO);
    assertFalse(api().lookup("13900139002").getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"));

    // The windows count reports by their arrival (a call's own time only by its day, DESIGN.md rule 8): victims
    // reporting 28 hours apart are no explosion, and nor is a call two days old reported now.
    report("13900139003", "CONTACT_HARASSMENT", "198.51.1.1", Duration.ZERO);
    clock.advance(Duration.ofHours(28));
    report("13900139003", "CONTACT_HARASSMENT", "198.51.2.1", Duration.ofHours(2));
    report("13900139003", "CONTACT_HARASSMENT", "198.51.3.1", Duration.ofDays(2));
    assertFalse(api().lookup("13900139003").getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"));
    // Two more victims on other networks within the day complete it.
    report("13900139003", "CONTACT_HARASSMENT", "198.51.4.1", Duration.ZERO);
    report("13900139003", "CONTACT_HARASSMENT", "198.51.5.1", Duration.ofHours(5));
    assertTrue(api().lookup("13900139003").getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"));
  }

  @Test
  void aVictimWhoChangesTheirReportLeavesTheWindow() {
    String[] tokens = {api().establishedToken(), api().establishedToken(), api().establishedToken()};
    for (int i = 0; i < 3; i++) {
      api().report(tokens[i], "198.18." + i + ".1",
          new JsonObject().put("number", "13900139004").put("category", "CONTACT_HARASSMENT"));
    }
    assertTrue(api().lookup("13900139004").getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"));
    api().report(tokens[2], "198.18.2.1",
        new JsonObject().put("number", "13900139004").put("category", "TELEMARKETING"));
    assertFalse(api().lookup("13900139004").getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"));
  }

  @Test
  void silentCallsToThreePeopleWithinAnHourAreCallBombing() {
    // Three victims, even on one network: call-bombing needs distinct reporters only (DUNBLOCK_BOMBING_MIN_NETWORKS).
    for (int i = 1; i <= 3; i++) {
      report("13900139005", "SILENT", "198.51.100." + i, Duration.ofMinutes(10L * i));
    }
    JsonObject r = api().lookup("13900139005");
    assertEquals("WARN", r.getString("verdict"));
    assertTrue(r.getJsonArray("reasons").contains("CALL_BOMBING"), r.encode());

    // The reports (arrived now) leave the hour in an hour; the pattern says so from the midnight after that.
    advancePastMidnightAfter(Duration.ofHours(1));
    JsonObject later = api().lookup("13900139005");
    assertFalse(later.getJsonArray("reasons").contains("CALL_BOMBING"), later.encode());
  }

  @Test
  void silentCallsSpreadOverHoursAreNoBurst() {
    // Reported as they happen, 70 minutes apart: never three within an hour.
    for (int i = 0; i < 4; i++) {
      report("13900139006", "SILENT", "198.51." + i + ".3", Duration.ZERO);
      clock.advance(Duration.ofMinutes(70));
    }
    assertFalse(api().lookup("13900139006").getJsonArray("reasons").contains("CALL_BOMBING"));
  }
}
