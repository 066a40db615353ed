package org.dunblock.server.report;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TwoServers;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Automatic ranges: enough BLOCKed numbers in a block of 100 put the rest of the block on WARN, fast path exact. */
@ExtendWith(VertxExtension.class)
class RangeIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  final MutableClock clock = new MutableClock(Instant.now());
  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).clock(clock);

  void block(String number) {
    for (int i = 1; i <= 5; i++) {
      assertEquals(202, both.apiA().report(both.apiA().establishedToken(), "203.0." + i + ".1",
          new JsonObject().put("number", number).put("category", "DEBT_COLLECTION")).statusCode());
    }
    assertEquals("BLOCK", both.apiA().lookup(number).getString("verdict"), number);
  }

  @Test
  void fourBlockedNumbersOfTenConsecutiveCollectorLinesPutTheirBlockOnWarn() {
    // A collector works ten consecutive lines, +86 138 0013 8000 to 8009; the crowd has blocked three so far.
    block("13800138000");
    block("13800138001");
    block("13800138002");
    assertEquals("ALLOW", both.apiB().lookup("13800138009").getString("verdict"));

    block("13800138003");
    waitUntil("B's filter holds the range", Duration.ofSeconds(1),
        () -> both.b().filter().mightContain("R:+86138001380"));
    JsonObject fresh = both.apiB().verdictWithin("13800138009", "WARN");
    assertEquals(new JsonArray().add("RANGE"), fresh.getJsonArray("reasons"));
    assertEquals(0, fresh.getLong("reports"));
    assertEquals("WARN", both.apiB().lookup("13800138099").getString("verdict"), "the whole block of 100");
    // A blocked member stays BLOCK; three other members are not a range for it.
    assertEquals(new JsonArray().add("CROWD_REPORTS"), both.apiB().lookup("13800138000").getJsonArray("reasons"));

    // The next block is clean, and costs Redis nothing.
    Map<String, Long> before = redis.commandCalls();
    JsonObject next = both.apiB().lookup("13800138100");
    assertEquals("ALLOW", next.getString("verdict"));
    assertEquals(new JsonArray(), next.getJsonArray("reasons"));
    assertEquals(Map.of(), redis.commandsSince(before));
  }

  @Test
  void aRangeEndsWhenItsMembersAgeOutOfBlock() {
    for (String n : new String[] {"13800138500", "13800138501", "13800138502", "13800138503"}) {
      block(n);
    }
    assertEquals("WARN", both.apiA().lookup("13800138550").getString("verdict"));

    // Five fresh reports keep a number BLOCK for about one half-life (score 5f / (5f + 2) >= 0.55 for 31 days).
    clock.advance(Duration.ofDays(30));
    assertEquals("WARN", both.apiA().lookup("13800138550").getString("verdict"), "still a range after 30 days");
    clock.advance(Duration.ofDays(2));
    assertEquals("WARN", both.apiA().lookup("13800138500").getString("verdict"), "members aged out of BLOCK");
    JsonObject fresh = both.apiA().lookup("13800138550");
    assertEquals("ALLOW", fresh.getString("verdict"), fresh.encode());
    assertFalse(fresh.getJsonArray("reasons").contains("RANGE"));
  }

  @Test
  void aCounterVotedMemberLeavesTheRange() {
    for (String n : new String[] {"13800138600", "13800138601", "13800138602", "13800138603"}) {
      block(n);
    }
    both.apiB().verdictWithin("13800138677", "WARN");
    // The owner's friends vouch for one line until it is no longer BLOCK; three blocked lines are no range.
    for (int i = 1; i <= 3; i++) {
      both.apiA().report(both.apiA().establishedToken(), "192.0." + i + ".2",
          new JsonObject().put("number", "13800138603").put("category", "LEGITIMATE"));
    }
    assertEquals("WARN", both.apiA().lookup("13800138603").getString("verdict"));
    // B had the range's record cached: Redis's invalidation reaches it within rule 1's second.
    both.apiB().verdictWithin("13800138677", "ALLOW");
  }

  @Test
  void anInstanceStartedAfterTheRangeAnswersItFromItsIndexAndSparesRedisTheCleanBlocks(Vertx vertx) {
    for (String n : new String[] {"13800138700", "13800138701", "13800138702", "13800138703"}) {
      block(n);
    }
    both.apiB().verdictWithin("13800138777", "WARN");

    // A third instance builds its filter (or loads its checkpoint) and then its exact index of listed blocks.
    DunblockServer c = TestServers.start(TestServers.config(redis), clock);
    Api apiC = new Api(vertx, c.port());
    try {
      waitReady(apiC);
      assertEquals("WARN", apiC.lookup("13800138777").getString("verdict"));
      waitUntil("C's index of listed numbers", Duration.ofSeconds(10), () -> c.filter().hashIndex() != null);
      JsonObject member = apiC.lookup("13800138788");
      assertEquals("WARN", member.getString("verdict"), member.encode());
      assertEquals(new JsonArray().add("RANGE"), member.getJsonArray("reasons"));

      // A range listed after C's index was built reaches it through the change streams.
      for (String n : new String[] {"13800138900", "13800138901", "13800138902", "13800138903"}) {
        block(n);
      }
      assertEquals("WARN", apiC.verdictWithin("13800138966", "WARN").getString("verdict"));

      // The blocks around them have no range: their numbers cost Redis nothing.
      Map<String, Long> before = redis.commandCalls();
      for (String n : new String[] {"13800138800", "13800138899", "13800139000", "13800138699"}) {
        assertEquals("ALLOW", apiC.lookup(n).getString("verdict"), n);
      }
      assertEquals(Map.of(), redis.commandsSince(before));
    } finally {
      apiC.close();
      c.close();
    }
  }
}
