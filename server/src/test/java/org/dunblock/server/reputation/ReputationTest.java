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
}
