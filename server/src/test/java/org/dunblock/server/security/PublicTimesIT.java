package org.dunblock.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DESIGN.md rule 8: public answers give times at day precision, so a caller cannot match a report to the call it
 * placed; the operators' evidence packs keep the exact times.
 */
@ExtendWith(VertxExtension.class)
class PublicTimesIT {
  static final String ADMIN_KEY = "public-times-admin-key-0123456789abcdef";
  /** Any ISO instant with a time of day other than midnight, or with fractions of a second. */
  static final Pattern TIME_OF_DAY = Pattern.compile("T(?!00:00:00Z)\\d\\d:\\d\\d|\\.\\d+Z");
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.adminKey(ADMIN_KEY));

  /** A call at 09:41:17.250 UTC, two days ago. */
  static final Instant CALL = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(2, ChronoUnit.DAYS)
      .plusSeconds(9 * 3600 + 41 * 60 + 17).plusMillis(250);

  void reported(String number) {
    JsonObject body = new JsonObject().put("number", number).put("category", "DEBT_COLLECTION")
        .put("occurredAt", CALL.toString());
    assertEquals(202, app.api().report(app.api().newToken(), "203.0.113.7", body).statusCode());
  }

  @Test
  void publicTimestampsCarryNoTimeOfDay() {
    reported("+8613800138300");
    String day = CALL.truncatedTo(ChronoUnit.DAYS).toString();
    JsonObject lookup = app.api().lookup("+8613800138300");
    assertEquals(day, lookup.getString("firstReported"));
    assertEquals(day, lookup.getString("lastReported"));
    // Still an ISO instant, as client-sdk parses it.
    assertEquals(CALL.truncatedTo(ChronoUnit.DAYS), Instant.parse(lookup.getString("lastReported")));

    String batch = app.api().post("/v1/numbers/lookup",
        new JsonObject().put("numbers", new io.vertx.core.json.JsonArray().add("+8613800138300")).encode(),
        "Content-Type", "application/json").bodyAsString();
    assertTrue(batch.contains("\"lastReported\":\"" + day + "\""), batch);
    assertFalse(TIME_OF_DAY.matcher(batch).find(), batch);

    String history = app.api().get("/v1/numbers/+8613800138300/history").bodyAsString();
    assertFalse(TIME_OF_DAY.matcher(history).find(), history);
    assertFalse(history.contains(Long.toString(CALL.toEpochMilli())), history);
  }

  @Test
  void evidenceKeepsTheExactTimes() {
    reported("+8613800138301");
    JsonObject pack = Api.await(app.api().request(HttpMethod.GET, "/v1/evidence/numbers/%2B8613800138301")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send()).bodyAsJsonObject();
    assertEquals(CALL.toString(), pack.getString("firstSeen"));
    assertEquals(CALL.toString(), pack.getString("lastSeen"));
  }
}
