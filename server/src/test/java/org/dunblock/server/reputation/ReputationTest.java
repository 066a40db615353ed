package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** toBuffer() writes exactly the bytes toJson() encodes to, template or not. */
class ReputationTest {
  @ParameterizedTest
  @ValueSource(strings = {"+8613800138000", "+12015550123", "+8695588", "P:+86138", "R:+86138001380", "+",
      "8613800138000", "+12345678901234567890", "+123456789012345678901", "", "+86 138", "+８６", "\"+1"})
  void unreportedAnswerBytesEqualTheJsonEncoding(String number) {
    Reputation unreported = Reputation.unreported(number);
    assertEquals(unreported.toJson().toBuffer(), unreported.toBuffer());
    assertEquals(new JsonObject().put("number", number).put("verdict", "ALLOW").put("score", 0.0)
        .put("reports", 0L).put("reporters", 0L).put("networks", 0L).put("categories", new JsonObject())
        .put("reasons", new io.vertx.core.json.JsonArray()).putNull("firstReported").putNull("lastReported")
        .put("platforms", new io.vertx.core.json.JsonArray()), new JsonObject(unreported.toBuffer()));
  }

  @Test
  void otherAnswersAreEncodedAsBefore() {
    String number = "+8613800138000";
    Reputation reported = new Reputation(number, Verdict.BLOCK, 0.714, 5, 5, 5, Map.of("THREAT", 5L),
        List.of(Reasons.DEGRADED), Instant.parse("2026-11-22T10:00:00Z"), Instant.parse("2026-11-22T11:00:00Z"),
        false, List.of(new Reputation.Platform("quick cash", 5)));
    assertEquals(reported.toJson().toBuffer(), reported.toBuffer());
    Reputation degraded = Reputation.degraded(number);
    assertEquals(degraded.toJson().toBuffer(), degraded.toBuffer());
    assertEquals(true, new JsonObject(degraded.toBuffer()).getBoolean("degraded"));
  }

  /** Reported answers, written directly (AnswerBytes), are byte for byte what the JsonObject encodes to. */
  @Test
  void reportedAnswersWrittenDirectlyEqualTheJsonEncoding() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(19);
    String[] categories = {"DEBT_COLLECTION", "CONTACT_HARASSMENT", "THREAT", "LEGITIMATE", "SCAM"};
    String[] names = {"quick cash", "Loan-Go 2", "贷款王", "say \"hi\"", "tab\there", "back\\slash", "e\u0301"};
    for (int i = 0; i < 2000; i++) {
      Map<String, Long> cats = new java.util.LinkedHashMap<>();
      for (int c = random.nextInt(categories.length); c > 0; c--) {
        cats.put(categories[random.nextInt(categories.length)], (long) random.nextInt(100_000));
      }
      List<String> reasons = new java.util.ArrayList<>();
      for (int r = random.nextInt(4); r > 0; r--) {
        reasons.add(List.of(Reasons.DEGRADED, "CROWD_REPORTS", "RANGE", "OPERATOR_OVERRIDE", "QUORUM_NOT_MET")
            .get(random.nextInt(5)));
      }
      List<Reputation.Platform> platforms = new java.util.ArrayList<>();
      for (int p = random.nextInt(3); p > 0; p--) {
        platforms.add(new Reputation.Platform(names[random.nextInt(names.length)], random.nextInt(1000)));
      }
      double[] scores = {0.0, 1.0, 0.5, 0.714, 1e-7, 0.1 + 0.2, random.nextDouble(), -0.0, 123456789.125};
      Instant first = random.nextBoolean() ? null : Instant.ofEpochMilli(1_700_000_000_000L + random.nextLong(1L << 36));
      Instant last = random.nextBoolean() ? null : Instant.ofEpochMilli(1_700_000_000_000L + random.nextLong(1L << 36));
      Reputation answer = new Reputation(random.nextBoolean() ? "+8613800138000" : "+1201555" + random.nextInt(10_000),
          Verdict.values()[random.nextInt(Verdict.values().length)], scores[random.nextInt(scores.length)],
          random.nextInt(1000), random.nextInt(1000), random.nextLong(Long.MAX_VALUE), cats, reasons, first, last,
          random.nextInt(10) == 0, platforms);
      assertEquals(answer.toJson().toBuffer().toString(), answer.toBuffer().toString(), answer.toString());
    }
  }

  @Test
  void scoresThatAreNotFiniteAreEncodedAsBefore() {
    for (double score : new double[] {Double.NaN, Double.POSITIVE_INFINITY}) {
      Reputation odd = new Reputation("+8613800138000", Verdict.WARN, score, 1, 1, 1, Map.of(), List.of(), null,
          null, false);
      assertEquals(odd.toJson().toBuffer(), odd.toBuffer());
    }
  }
}
