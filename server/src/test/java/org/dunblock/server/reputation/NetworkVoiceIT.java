package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One network, one voice, and a vote added to a network never lowers it: a network counts as its strongest vote, in
 * the score and in the weighted quorum, for negative and LEGITIMATE votes alike (report.lua, docs/trust.md). So a
 * collector's fresh report from an established reporter's carrier NAT cannot water the reporter down, and a family
 * on one Wi-Fi counts as its most established member.
 */
@ExtendWith(VertxExtension.class)
class NetworkVoiceIT {
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

  void reported(String token, String ip, JsonObject body) {
    assertEquals(202, api().report(token, ip, body).statusCode());
  }

  String verdict(String number) {
    return api().lookup(number).getString("verdict");
  }

  Map<String, String> record(String e164) {
    return redis.commands().hgetall(KeySchema.number(e164));
  }

  /** Established reporters on networks {prefix}{1..n}.0/24, each reporting {@code category}. */
  void established(String number, String category, String prefix, int networks) {
    for (int net = 1; net <= networks; net++) {
      reported(TestTokens.established(clock), prefix + net + ".7", report(number, category));
    }
  }

  @Test
  void aFreshReportFromAnEstablishedReportersNetworkCannotUnblockANumber() {
    String number = "13800138700";
    established(number, "DEBT_COLLECTION", "203.0.", 3);
    assertEquals("BLOCK", verdict(number));
    // The collector, on network A's carrier NAT /24, reports its own number as a threat with a fresh token.
    reported(api().newToken(), "203.0.1.200", report(number, "THREAT"));
    assertEquals("BLOCK", verdict(number), "network A still speaks with its established reporter's voice");
    for (int i = 0; i < 10; i++) {
      reported(api().newToken(), "203.0.2." + (100 + i), report(number, "SILENT"));
    }
    JsonObject r = api().lookup(number);
    assertEquals("BLOCK", r.getString("verdict"), r.encode());
    assertEquals(3.0, NumberRecord.weightedNegativeNetworks(record("+86" + number)), 1e-9);
  }

  @Test
  void freshCounterVotesCannotWaterDownTheCounterVotesThatTookANumberDown() {
    String number = "13800138710";
    established(number, "DEBT_COLLECTION", "198.51.", 5);
    established(number, "LEGITIMATE", "192.0.", 3);
    assertNotEquals("BLOCK", verdict(number));
    // A vandal adds fresh LEGITIMATE votes on the counter-voters' networks: their voices stay, no BLOCK again.
    for (int net = 1; net <= 3; net++) {
      reported(api().newToken(), "192.0." + net + ".200", report(number, "LEGITIMATE"));
    }
    assertNotEquals("BLOCK", verdict(number));
    assertEquals(3.0, NumberRecord.weightedLegitimateNetworks(record("+86" + number)), 1e-9);
  }

  @Test
  void aFamilyOnOneWifiCountsAsItsMostEstablishedMember() {
    String number = "13800138720";
    // Three households, each a parent who has had the app for a while and two children who installed it today.
    for (int net = 1; net <= 3; net++) {
      reported(TestTokens.established(clock), "198.51." + net + ".10", report(number, "CONTACT_HARASSMENT"));
      reported(api().newToken(), "198.51." + net + ".11", report(number, "CONTACT_HARASSMENT"));
      reported(api().newToken(), "198.51." + net + ".12", report(number, "CONTACT_HARASSMENT"));
    }
    JsonObject r = api().lookup(number);
    assertEquals("BLOCK", r.getString("verdict"), r.encode());
    assertEquals(3, r.getLong("networks"));
    assertEquals(9, r.getLong("reporters"));
  }

  @Test
  void aReReportMovesTheVoteAndTheNetworkFallsBackToItsNextStrongestVote() {
    String number = "13800138730";
    String parent = TestTokens.established(clock);
    reported(parent, "198.51.10.10", report(number, "THREAT"));
    reported(api().newToken(), "198.51.10.11", report(number, "THREAT"));
    established(number, "THREAT", "198.51.1", 2); // networks 198.51.11.0/24 and 198.51.12.0/24
    assertEquals("BLOCK", verdict(number));
    String e164 = "+86" + number;
    assertEquals(3.0, NumberRecord.weightedNegativeNetworks(record(e164)), 1e-9);

    // The parent changes its mind: its network's negative voice is the child's fresh one now.
    reported(parent, "198.51.10.10", report(number, "LEGITIMATE"));
    assertEquals(2.3, NumberRecord.weightedNegativeNetworks(record(e164)), 1e-9);
    assertEquals(1.0, NumberRecord.weightedLegitimateNetworks(record(e164)), 1e-9);
    assertNotEquals("BLOCK", verdict(number));
    // And back again.
    reported(parent, "198.51.10.10", report(number, "THREAT"));
    assertEquals(3.0, NumberRecord.weightedNegativeNetworks(record(e164)), 1e-9);
    assertEquals(0.0, NumberRecord.weightedLegitimateNetworks(record(e164)), 1e-9);
    assertEquals("BLOCK", verdict(number));
  }

  @Test
  void whenANetworksStrongestVoteExpiresItsNextStrongestSpeaks() {
    String number = "13800138740";
    String e164 = "+86" + number;
    // An established reporter's call of 59 days ago and a fresh reporter's call of today, on one network.
    reported(TestTokens.established(clock), "198.51.20.10", report(number, "THREAT")
        .put("occurredAt", clock.instant().minus(Duration.ofDays(59)).toString()));
    reported(api().newToken(), "198.51.20.11", report(number, "THREAT"));
    assertEquals(1.0, NumberRecord.weightedNegativeNetworks(record(e164)), 1e-9);
    // Two days on, the old call is past the report age limit: the next report expires it.
    clock.advance(Duration.ofDays(2));
    reported(TestTokens.established(clock), "198.51.21.10", report(number, "THREAT"));
    Map<String, String> after = record(e164);
    assertEquals(1.3, NumberRecord.weightedNegativeNetworks(after), 1e-9, "0.3 left on the first network, 1 new");
    assertEquals(2, NumberRecord.integer(after, NumberRecord.NEGATIVE_NETWORKS));
    assertEquals(2, NumberRecord.integer(after, NumberRecord.NEGATIVE_REPORTERS));
  }

  @Test
  void aRecordWrittenWithNetworkAveragesIsReadAndThenCountedByMaxima() {
    String e164 = "+8613800138750";
    long now = clock.millis();
    String at = Long.toString(now);
    // As the server before wrote it: network A averages an established (1) and a fresh (0.3) vote, 0.65.
    redis.commands().hset(KeySchema.number(e164), Map.ofEntries(
        Map.entry("neg", "2.65"), Map.entry("leg", "0"), Map.entry("ref", at), Map.entry("reports", "4"),
        Map.entry("negr", "4"), Map.entry("legr", "0"), Map.entry("negnets", "3"), Map.entry("legnets", "0"),
        Map.entry("negq", "3.3"), Map.entry("negnq", "2.65"), Map.entry("legq", "0"), Map.entry("legnq", "0"),
        Map.entry("first", at), Map.entry("last", at), Map.entry("c:THREAT", "4")));
    redis.commands().hset(KeySchema.votes(e164), Map.of(
        "r1", "THREAT|" + at + "|netA||1|1", "r2", "THREAT|" + at + "|netA||0.3|0.3",
        "r3", "THREAT|" + at + "|netB||1|1", "r4", "THREAT|" + at + "|netC||1|1"));
    redis.commands().hset(KeySchema.networks(e164), Map.of(
        "n:netA", "2|1.3|" + at + "|1.3", "n:netB", "1|1|" + at + "|1", "n:netC", "1|1|" + at + "|1"));
    for (String r : new String[] {"r1", "r2", "r3", "r4"}) {
      redis.commands().zadd(KeySchema.voteTimes(e164), now, r);
    }
    redis.commands().zadd(KeySchema.index(KeySchema.shardOf(e164)), now, e164);
    redis.commands().xadd(KeySchema.changes(KeySchema.shardOf(e164)), Map.of("op", "add", "n", e164));
    Conditions.waitUntil("the old record in the filter", Duration.ofSeconds(5),
        () -> api().lookup("13800138750").getLong("reporters") == 4);

    // Readable as written: four reporters on three networks, weighted 2.65, short of the quorum.
    JsonObject before = api().lookup("13800138750");
    assertEquals(4, before.getLong("reporters"));
    assertEquals("WARN", before.getString("verdict"), before.encode());

    // The first report after the upgrade counts every network by its strongest vote: 3 + a fresh 0.3.
    reported(api().newToken(), "198.51.30.1", report("13800138750", "THREAT"));
    Map<String, String> after = record(e164);
    assertEquals(3.3, NumberRecord.weightedNegativeNetworks(after), 1e-9);
    assertEquals(4, NumberRecord.integer(after, NumberRecord.NEGATIVE_NETWORKS));
    assertEquals(3.6, NumberRecord.weightedNegativeReporters(after), 1e-9);
    assertEquals("zset", redis.commands().type(KeySchema.networks(e164)));
    assertEquals("BLOCK", api().lookup("13800138750").getString("verdict"));
  }
}
