package org.dunblock.server.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * X-Client-Time: the phone's clock when it sent the report. The server shifts occurredAt by its own clock minus the
 * phone's (within 24 h), so a phone whose clock runs fast still dates its calls right, and then applies the usual
 * limits (too old, in the future, never after now) to the shifted time: the header lets nobody date a vote outside
 * what an honest occurredAt could say.
 */
@ExtendWith(VertxExtension.class)
class ClientTimeIT {
  static final String ADMIN_KEY = "client-time-admin-key-0123456789abcdef";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).clock(clock).with(c -> c.adminKey(ADMIN_KEY));

  Api api() {
    return app.api();
  }

  HttpResponse<Buffer> report(String number, Instant occurredAt, String clientTime) {
    JsonObject body = new JsonObject().put("number", number).put("category", "DEBT_COLLECTION")
        .put("occurredAt", occurredAt.toString());
    return clientTime == null ? api().report(api().establishedToken(), "203.0.113.9", body)
        : api().report(api().establishedToken(), "203.0.113.9", body, "X-Client-Time", clientTime);
  }

  /** When the server dated the call (the operators' evidence pack keeps the exact time). */
  Instant datedAt(String e164) {
    JsonObject pack = Api.await(api().request(HttpMethod.GET, "/v1/evidence/numbers/" + e164.replace("+", "%2B"))
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send()).bodyAsJsonObject();
    return Instant.parse(pack.getString("lastSeen"));
  }

  static String error(HttpResponse<Buffer> r) {
    return r.statusCode() + " " + r.bodyAsJsonObject().getString("error");
  }

  @Test
  void aPhoneTenMinutesFastIsDatedByTheServersClock() {
    Instant now = clock.instant();
    Instant phone = now.plus(Duration.ofMinutes(10));
    // Without the header the call seems ten minutes in the future: refused, as before.
    assertEquals("400 occurred_in_future", error(report("13800138000", phone, null)));

    assertEquals(202, report("13800138000", phone, phone.toString()).statusCode());
    assertEquals(now, datedAt("+8613800138000"));
    // Epoch milliseconds are read too.
    assertEquals(202, report("13800138001", phone.minus(Duration.ofHours(2)),
        Long.toString(phone.toEpochMilli())).statusCode());
    assertEquals(now.minus(Duration.ofHours(2)), datedAt("+8613800138001"));
  }

  @Test
  void aQueuedReportSentDaysLaterStillDatesTheCall() {
    // The phone (10 min fast) queued the report at the call; it is sent three days later, the header is the send time.
    Instant call = clock.instant();
    Instant phoneAtCall = call.plus(Duration.ofMinutes(10));
    clock.advance(Duration.ofDays(3));
    Instant phoneAtSend = clock.instant().plus(Duration.ofMinutes(10));
    assertEquals(202, report("13800138002", phoneAtCall, phoneAtSend.toString()).statusCode());
    assertEquals(call, datedAt("+8613800138002"));
  }

  @Test
  void anUnreadableClientTimeIsAClientError() {
    Instant now = clock.instant();
    for (String bogus : new String[] {"yesterday", "2026-13-45T99:00:00Z", "2026-12-03T10:00:00", "-5", "1e12", " ",
        "9".repeat(80)}) {
      HttpResponse<Buffer> r = report("13800138003", now, bogus);
      assertEquals(400, r.statusCode(), bogus);
      assertEquals("invalid_client_time", r.bodyAsJsonObject().getString("error"), bogus);
    }
    assertEquals(0, api().lookup("13800138003").getLong("reports"));
  }

  @Test
  void aClientTimeMoreThanADayOffIsIgnored() {
    Instant now = clock.instant();
    Instant farAhead = now.plus(Duration.ofDays(3));
    // Ignored: the call is judged on occurredAt alone, as without the header.
    assertEquals("400 occurred_in_future", error(report("13800138004", now.plus(Duration.ofMinutes(10)),
        farAhead.toString())));
    assertEquals(202, report("13800138004", now.minus(Duration.ofHours(1)), farAhead.toString()).statusCode());
    assertEquals(now.minus(Duration.ofHours(1)), datedAt("+8613800138004"));
  }

  @Test
  void theShiftedTimeIsHeldToTheServersLimits() {
    Instant now = clock.instant();
    // A phone claiming to be 23 h slow cannot forward-date a call past the allowed skew...
    assertEquals("400 occurred_in_future", error(report("13800138005", now,
        now.minus(Duration.ofHours(23)).toString())));
    // ...nor past now at all: a shift into the allowed skew is dated now, as a direct occurredAt would be.
    assertEquals(202, report("13800138005", now, now.minus(Duration.ofMinutes(4)).toString()).statusCode());
    assertEquals(now, datedAt("+8613800138005"));
    // A phone claiming to be 23 h fast cannot backdate past the maximum report age (60 days in tests).
    assertEquals("400 report_too_old", error(report("13800138006", now.minus(Duration.ofDays(59)).minus(Duration
        .ofHours(12)), now.plus(Duration.ofHours(23)).toString())));
    assertEquals(0, api().lookup("13800138006").getLong("reports"));
    // The day-precision public times follow the shifted, clamped time.
    assertEquals(now.truncatedTo(ChronoUnit.DAYS).toString(), api().lookup("13800138005").getString("lastReported"));
  }
}
