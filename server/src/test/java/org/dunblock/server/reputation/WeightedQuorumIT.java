package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.dunblock.server.reporter.ReporterTokens;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.Scores;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN.md rule 4, weighted: a token minted within the last day weighs a fraction of an established one, in the
 * score and in the BLOCK quorum, for and against a number; a report of a spoofed call weighs less. The server runs on a clock the tests move, so tokens age without waiting.
 */
@ExtendWith(VertxExtension.class)
class WeightedQuorumIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  final MutableClock clock = new MutableClock(Instant.now());
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).clock(clock);

  Api api() {
    return app.api();
  }

  static JsonObject report(String number, String category) {
    return new JsonObject().put("number", number).put("category", category);
  }

  /** Fresh tokens, one per network 203.0.{first..last}.0/24, each reporting {@code category}. */
  void freshReports(String number, String category, int first, int last) {
    for (int net = first; net <= last; net++) {
      assertEquals(202, api().report(api().newToken(), "203.0." + net + ".7", report(number, category)).statusCode());
    }
  }

  void establishedReports(String number, String category, String networkPrefix, int networks) {
    for (int net = 1; net <= networks; net++) {
      assertEquals(202, api().report(TestTokens.established(clock), networkPrefix + net + ".7",
          report(number, category)).statusCode());
    }
  }

  @Test
  void freshTokensOnThreeNetworksAtMostWarn() {
    freshReports("13800138100", "THREAT", 1, 3);
    JsonObject r = api().lookup("13800138100");
    assertEquals("WARN", r.getString("verdict"));
    assertEquals(3, r.getLong("networks"));
    assertEquals(Scores.today(0.9, clock), r.getDouble("score"), "three fresh votes of 0.3: 0.9 / 2.9");
  }

  @Test
  void oneFreshTokenAloneDoesNotEvenWarn() {
    freshReports("13800138101", "FRAUD", 1, 1);
    assertEquals("ALLOW", api().lookup("13800138101").getString("verdict"));
  }

  @Test
  void freshTokensOnEightNetworksWithinADayNeverBlock() {
    int n = 0;
    for (Category category : Category.values()) {
      if (!category.negative()) {
        continue;
      }
      String number = "1380013811" + n++;
      freshReports(number, category.name(), 1, 8);
      JsonObject r = api().lookup(number);
      assertNotEquals("BLOCK", r.getString("verdict"), category + ": " + r);
      assertEquals(8, r.getLong("networks"));
    }
    // Contact harassment within an hour is an address-book explosion, and still no BLOCK from eight fresh networks.
    JsonObject fan = api().lookup("13800138111");
    assertTrue(fan.getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"), fan.encode());
    assertEquals("WARN", fan.getString("verdict"));
  }

  @Test
  void twelveFreshVictimsOnTwelveNetworksInAnHourBlockAnAddressBookExplosion() {
    for (int net = 1; net <= 12; net++) {
      assertEquals(202, api().report(api().newToken(), "203.0." + net + ".7",
          report("13800138120", "CONTACT_HARASSMENT")).statusCode());
      clock.advance(Duration.ofMinutes(5));
    }
    JsonObject r = api().lookup("13800138120");
    assertEquals("BLOCK", r.getString("verdict"), r.encode());
    assertTrue(r.getJsonArray("reasons").contains("ADDRESS_BOOK_EXPLOSION"));
    assertTrue(r.getJsonArray("reasons").contains("CROWD_REPORTS"));
  }

  @Test
  void fiveEstablishedReportersOnFiveNetworksBlock() {
    establishedReports("13800138130", "DEBT_COLLECTION", "198.51.", 5);
    clock.advance(Duration.ofHours(23));
    assertEquals("BLOCK", api().lookup("13800138130").getString("verdict"));
  }

  @Test
  void tokensAgedByTheClockBecomeEstablished() {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      tokens.add(api().newToken());
    }
    // Used today, three of them only warn.
    for (int net = 1; net <= 3; net++) {
      api().report(tokens.get(net - 1), "203.0." + net + ".7", report("13800138140", "DEBT_COLLECTION"));
    }
    assertEquals("WARN", api().lookup("13800138140").getString("verdict"));
    // Four days on, a token weighs 0.3 + 0.7 * 3/6 = 0.65: three of those make no quorum (1.95).
    clock.advance(Duration.ofDays(4));
    for (int net = 1; net <= 3; net++) {
      api().report(tokens.get(net + 2), "203.0." + net + ".7", report("13800138141", "DEBT_COLLECTION"));
    }
    assertEquals("WARN", api().lookup("13800138141").getString("verdict"));
    // A week on they weigh fully: the same three tokens block another number.
    clock.advance(Duration.ofDays(4));
    for (int net = 1; net <= 3; net++) {
      api().report(tokens.get(net - 1), "203.0." + net + ".7", report("13800138142", "DEBT_COLLECTION"));
    }
    assertEquals("BLOCK", api().lookup("13800138142").getString("verdict"));
  }

  @Test
  void oldFormatTokensAgeFromWhenTheServerFirstSawThem() {
    List<String> old = List.of(TestTokens.legacy(), TestTokens.legacy(), TestTokens.legacy());
    for (int net = 1; net <= 3; net++) {
      assertEquals(202, api().report(old.get(net - 1), "203.0." + net + ".7", report("13800138150", "FRAUD"))
          .statusCode());
    }
    assertEquals("WARN", api().lookup("13800138150").getString("verdict"), "first seen today: fresh");
    clock.advance(Duration.ofDays(8));
    for (int net = 1; net <= 3; net++) {
      api().report(old.get(net - 1), "203.0." + net + ".7", report("13800138151", "FRAUD"));
    }
    assertEquals("BLOCK", api().lookup("13800138151").getString("verdict"), "first seen eight days ago");
    // An old token never seen before is fresh however long ago it was minted.
    for (int net = 1; net <= 3; net++) {
      api().report(TestTokens.legacy(), "203.0." + net + ".7", report("13800138152", "FRAUD"));
    }
    assertEquals("WARN", api().lookup("13800138152").getString("verdict"));
  }

  @Test
  void freshCounterVotesCannotUnblockANumber() {
    String number = "13800138160";
    establishedReports(number, "DEBT_COLLECTION", "198.51.", 5);
    assertEquals("BLOCK", api().lookup(number).getString("verdict"));
    // The collector's own fresh tokens on eight networks, the budget that cannot block, cannot bury it either.
    freshReports(number, "LEGITIMATE", 1, 8);
    JsonObject buried = api().lookup(number);
    assertEquals("BLOCK", buried.getString("verdict"), buried.encode());
    assertTrue(buried.getJsonArray("reasons").contains("COUNTER_VOTES"));
    // Established counter-votes from three networks, the quorum a block needs, do take it down.
    establishedReports(number, "LEGITIMATE", "192.0.", 3);
    assertNotEquals("BLOCK", api().lookup(number).getString("verdict"));
  }

  @Test
  void aCallWhoseNumberFailedVerificationWeighsLess() {
    String token = TestTokens.established(clock);
    api().report(token, "198.51.103.1", report("13800138190", "THREAT").put("callerVerification", "PASSED"));
    assertEquals(Scores.today(1, clock), api().lookup("13800138190").getDouble("score"), "1 / 3");
    api().report(token, "198.51.103.1", report("13800138191", "THREAT").put("callerVerification", "FAILED"));
    assertEquals(Scores.today(0.5, clock), api().lookup("13800138191").getDouble("score"), "0.5 / 2.5");
    api().report(token, "198.51.103.1", report("13800138192", "THREAT").put("callerVerification", "NOT_VERIFIED"));
    assertEquals(Scores.today(1, clock), api().lookup("13800138192").getDouble("score"));

    // Five established reporters whose calls all failed verification count 2.5 in the quorum: no BLOCK.
    for (int net = 1; net <= 5; net++) {
      api().report(TestTokens.established(clock), "192.0." + net + ".1",
          report("13800138193", "DEBT_COLLECTION").put("callerVerification", "FAILED"));
    }
    assertNotEquals("BLOCK", api().lookup("13800138193").getString("verdict"));

    HttpResponse<Buffer> unknown = api().report(token, "198.51.103.1",
        report("13800138194", "THREAT").put("callerVerification", "SPOOFED"));
    assertEquals(400, unknown.statusCode());
    assertEquals("invalid_caller_verification", unknown.bodyAsJsonObject().getString("error"));
  }

  @Test
  void aTokenWithATamperedMintTimeIsRefused() {
    String token = api().newToken();
    byte[] raw = Base64.getUrlDecoder().decode(token.substring(ReporterTokens.PREFIX.length()));
    raw[17] ^= 0x01; // the mint time's first byte, after the version byte and the nonce
    String forged = ReporterTokens.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    HttpResponse<Buffer> r = api().report(forged, "198.51.104.1", report("13800138195", "THREAT"));
    assertEquals(401, r.statusCode());
    assertEquals("invalid_token", r.bodyAsJsonObject().getString("error"));
  }
}
