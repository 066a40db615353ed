package org.dunblock.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Instant;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The lookup limiter's flood bound with light lookups on (a limit of 32: a client's first 2 lookups a minute are
 * light): once the tracked-clients table is full, a flood of fresh addresses making a light lookup each is still
 * charged to its /16's overflow bucket, as every new client was before light lookups.
 */
class LookupLimitFloodIT {
  static final int LIMIT = 32;
  static final int TRACKED = 10;

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  /** One minute for the whole test. */
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00.250Z"));
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis)
      .with(c -> c.lookupsPerClientPerMinute(LIMIT).lookupTrackedClients(TRACKED)).clock(clock);

  private HttpResponse<Buffer> lookup(String clientIp, int i) {
    return LookupLimitIT.lookup(app.api(), clientIp, i);
  }

  @Test
  void withTheTableFullFreshLightClientsShareTheirSlash16sOverflowBucket() {
    // An honest client of the same /16, light, that looked a number up before the flood.
    assertEquals(200, lookup("198.51.200.1", 0).statusCode());
    // Ten heavy clients fill the table (three numbers each: past the two light lookups at once).
    for (int i = 0; i < TRACKED; i++) {
      HttpResponse<Buffer> batch = Api.await(LookupLimitIT.batch(app.api(), "192.0.2." + (i + 1), 3));
      assertEquals(200, batch.statusCode(), batch.bodyAsString());
    }
    // A flood of fresh addresses in 198.51.0.0/16, one lookup each: light, but the table is full.
    int accepted = 0;
    int status = 200;
    for (int i = 0; status == 200 && i < 20 * LIMIT; i++) {
      status = lookup("198.51." + (i / 250) + "." + (i % 250 + 1), i).statusCode();
      if (status == 200) {
        accepted++;
      }
    }
    assertEquals(429, status, "the flood was never refused");
    // One more at most: as a flush's reply lands, the count is low for an instant rather than double.
    assertTrue(accepted == 16 * LIMIT || accepted == 16 * LIMIT + 1, "the /16's overflow bucket: 16 allowances, "
        + accepted);
    assertEquals(200, lookup("198.51.200.1", 1).statusCode(),
        "a client already counted before the table filled keeps its own count, outside the flood's bucket");
    assertEquals(200, lookup("203.0.113.5", 0).statusCode(), "another /16 has its own overflow bucket");
  }
}
