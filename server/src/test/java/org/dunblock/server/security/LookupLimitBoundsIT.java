package org.dunblock.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lookup limiter's bounds: an IPv6 /48 shares a ceiling of 16 client allowances however many /64s it uses, and
 * past the tracked-clients bound new clients share an overflow bucket per /16 instead of going uncounted.
 */
class LookupLimitBoundsIT {
  static final int LIMIT = 10;
  static final int TRACKED = 40;

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  /** One minute for the whole test. */
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00.250Z"));
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis)
      .with(c -> c.lookupsPerClientPerMinute(LIMIT).lookupTrackedClients(TRACKED)).clock(clock);

  private HttpResponse<Buffer> lookup(String clientIp, int i) {
    return Api.await(app.api().request(HttpMethod.GET, "/v1/numbers/+86139" + String.format("%08d", i))
        .putHeader("X-Forwarded-For", clientIp).send());
  }

  @Test
  void many64sInOne48ShareACeilingOfSixteenAllowances() {
    int lookups = 0;
    for (int subnet = 0; subnet < 16; subnet++) {
      String client = "2001:db8:77:" + Integer.toHexString(subnet) + "::1";
      for (int i = 0; i < LIMIT; i++) {
        HttpResponse<Buffer> r = lookup(client, lookups++);
        assertEquals(200, r.statusCode(), client + " lookup " + i + ": " + r.bodyAsString());
      }
    }
    HttpResponse<Buffer> seventeenth = lookup("2001:db8:77:10::1", lookups++);
    assertEquals(429, seventeenth.statusCode(), "a fresh /64 of a /48 that spent 16 allowances");
    assertEquals("rate_limited", seventeenth.bodyAsJsonObject().getString("error"));
    assertEquals(429, lookup("2001:db8:77:ffff::1", lookups++).statusCode());
    assertEquals(200, lookup("2001:db8:78::1", lookups++).statusCode(), "another /48 has its own ceiling");
  }

  @Test
  void oneIpv4HostTunnelledThroughTeredoHasOneAllowanceWhicheverServerItNames() {
    // 2001:0:<server>:<flags>:<port>:<client IPv4 inverted>; 34ff:8ef8 is 203.0.113.7. The server field is the
    // client's to choose: a fresh one per request would be a fresh /64 and /48 each time if taken at face value.
    int lookups = 0;
    for (int i = 0; i < LIMIT; i++) {
      String client = "2001:0:" + Integer.toHexString(0x1000 + i) + ":" + Integer.toHexString(i) + ":0:f227:34ff:8ef8";
      HttpResponse<Buffer> r = lookup(client, lookups++);
      assertEquals(200, r.statusCode(), client + ": " + r.bodyAsString());
    }
    HttpResponse<Buffer> past = lookup("2001:0:7fff:1:0:f227:34ff:8ef8", lookups++);
    assertEquals(429, past.statusCode(), "the same IPv4 host behind another Teredo server: " + past.bodyAsString());
    assertEquals(429, lookup("203.0.113.7", lookups++).statusCode(), "and the host itself over IPv4");
    assertEquals(200, lookup("203.0.113.8", lookups++).statusCode(), "another host has its own allowance");
  }

  @Test
  void pastTheTrackedClientsBoundNewClientsShareAnOverflowBucketPerSlash16() {
    int lookups = 0;
    for (int i = 0; i < TRACKED; i++) {
      assertEquals(200, lookup("198.18.0." + (i + 1), lookups++).statusCode());
    }
    // The table is full: new clients of 198.51.0.0/16 share one bucket of 16 allowances, counted, not let through.
    int accepted = 0;
    int status = 200;
    for (int i = 0; status == 200 && i < 20 * LIMIT; i++) {
      status = lookup("198.51." + (i / 250) + "." + (i % 250 + 1), lookups++).statusCode();
      if (status == 200) {
        accepted++;
      }
    }
    assertEquals(429, status, "overflowed clients were never refused");
    assertEquals(16 * LIMIT, accepted);
    assertEquals(200, lookup("203.0.113.5", lookups++).statusCode(), "another /16 has its own overflow bucket");
    String metrics = app.api().get("/metrics").bodyAsString();
    assertTrue(metrics.contains("dunblock_lookup_limiter_overflow_total"), metrics);
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("dunblock_lookup_limiter_overflow_total")
        && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 16 * LIMIT + 1), "overflow counted");
  }

  @Test
  void a48RotatingThroughFresh64sAfterItsCeilingFillsNoTableAndLeavesOthersServed() {
    // 16 allowances spent by 16 /64s of one /48 (10 lookups each), then 400 more requests, each from a fresh /64.
    int lookups = 0;
    for (int subnet = 0; subnet < 16; subnet++) {
      for (int i = 0; i < LIMIT; i++) {
        assertEquals(200, lookup("2001:db8:99:" + Integer.toHexString(subnet) + "::1", lookups++).statusCode());
      }
    }
    for (int subnet = 16; subnet < 416; subnet++) {
      assertEquals(429, lookup("2001:db8:99:" + Integer.toHexString(subnet) + "::1", lookups++).statusCode());
    }
    // Refused requests are no clients of the table: 16 /64s and their /48, not 417 entries (past 40, honest
    // clients would be pushed into shared overflow buckets).
    assertEquals(17.0, gauge("dunblock_lookup_limiter_clients"));
    assertEquals(0.0, gauge("dunblock_lookup_limiter_overflow_total"));
    for (int i = 0; i < LIMIT; i++) {
      assertEquals(200, lookup("203.0.113.77", lookups++).statusCode(), "an honest client elsewhere");
    }
    assertEquals(429, lookup("203.0.113.77", lookups++).statusCode(), "and limited exactly as before");
  }

  private double gauge(String name) {
    return app.api().get("/metrics").bodyAsString().lines().filter(l -> l.startsWith(name + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElseThrow(() -> new AssertionError(name));
  }
}
