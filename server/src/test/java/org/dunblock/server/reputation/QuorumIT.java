package org.dunblock.server.reputation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.Scores;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** DESIGN.md rule 4: BLOCK needs distinct reporters on distinct networks; five on five within a day block. */
@ExtendWith(VertxExtension.class)
class QuorumIT {
  /** Votes decay from the start of their call's UTC day (docs/scoring.md): scores are checked against it. */
  static final java.time.Clock UTC = java.time.Clock.systemUTC();
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);

  Api api() {
    return app.api();
  }

  static JsonObject debt(String number) {
    return new JsonObject().put("number", number).put("category", "DEBT_COLLECTION");
  }

  @Test
  void fiveReportersOnFiveNetworksBlockANumber() {
    for (int i = 1; i <= 5; i++) {
      assertEquals(202, api().report(api().establishedToken(), "203.0." + i + ".10", debt("138-0013-8000")).statusCode());
    }
    JsonObject r = api().lookup("+8613800138000");
    assertEquals("BLOCK", r.getString("verdict"));
    assertEquals(5, r.getLong("reports"));
    assertEquals(5, r.getLong("reporters"));
    assertEquals(5, r.getLong("networks"));
    assertEquals(5, r.getJsonObject("categories").getLong("DEBT_COLLECTION"));
    assertTrue(r.getJsonArray("reasons").contains("CROWD_REPORTS"));
  }

  @Test
  void manyReportersOnOneNetworkCannotBlock() {
    for (int i = 1; i <= 20; i++) {
      assertEquals(202, api().report(api().establishedToken(), "198.51.100." + i, debt("13800138001")).statusCode());
    }
    JsonObject r = api().lookup("13800138001");
    assertEquals("WARN", r.getString("verdict"));
    assertEquals(20, r.getLong("reporters"));
    assertEquals(1, r.getLong("networks"));
    // One network, one voice: twenty tokens there weigh what one reporter does.
    assertEquals(Scores.today(1, UTC), r.getDouble("score"), 0.0011);
  }

  @Test
  void twoNetworksAreNotEnoughButThreeAre() {
    String number = "13800138002";
    for (int i = 1; i <= 6; i++) {
      api().report(api().establishedToken(), "192.0." + (i % 2) + "." + i, debt(number));
    }
    assertEquals("WARN", api().lookup(number).getString("verdict"));
    api().report(api().establishedToken(), "192.0.9.1", debt(number));
    assertEquals("BLOCK", api().lookup(number).getString("verdict"));
  }

  @Test
  void ipv6ReportersCountPerSlash48() {
    String number = "13800138003";
    // Same /48, different /64s: one network.
    for (int i = 1; i <= 5; i++) {
      assertEquals(202, api().report(api().establishedToken(), "2001:db8:1:" + i + "::1", debt(number)).statusCode());
    }
    JsonObject r = api().lookup(number);
    assertEquals(5, r.getLong("reporters"));
    assertEquals(1, r.getLong("networks"));
    assertFalse("BLOCK".equals(r.getString("verdict")));
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored(Vertx vertx) {
    DunblockServer direct = TestServers.start(TestServers.config(redis).trustedProxies(java.util.List.of()));
    Api directApi = new Api(vertx, direct.port());
    try {
      for (int i = 1; i <= 5; i++) {
        assertEquals(202, directApi.report(directApi.establishedToken(), "203.0." + i + ".10", debt("13800138009"))
            .statusCode());
      }
      JsonObject r = directApi.lookup("13800138009");
      assertEquals(1, r.getLong("networks"), "forged X-Forwarded-For must not invent networks");
      assertEquals("WARN", r.getString("verdict"));
    } finally {
      directApi.close();
      direct.close();
    }
  }
}
