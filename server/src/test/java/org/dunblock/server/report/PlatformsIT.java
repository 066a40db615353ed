package org.dunblock.server.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Lookups show the lending platforms victims named for a number, normalised, most named first. */
@ExtendWith(VertxExtension.class)
class PlatformsIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);

  Api api() {
    return app.api();
  }

  void report(String token, String platform) {
    assertEquals(202, api().report(token, "203.0.113.9", new JsonObject().put("number", "13700137000")
        .put("category", "DEBT_COLLECTION").put("platform", platform)).statusCode());
  }

  static JsonObject named(String name, long count) {
    return new JsonObject().put("name", name).put("count", count);
  }

  @Test
  void theFiveMostNamedPlatformsAreShownAsOneLenderEach() {
    report(api().newToken(), "借贷宝");
    report(api().newToken(), "\u3000借贷宝 ");
    report(api().newToken(), "借贷宝\u3000");
    report(api().newToken(), "ＱｕｉｃｋＬｏａｎ");
    String changesMind = api().newToken();
    report(changesMind, "quickloan");
    for (String other : new String[] {"delta", "alpha", "charlie", "bravo"}) {
      report(api().newToken(), other);
    }
    JsonObject r = api().lookup("13700137000");
    assertEquals(new JsonArray().add(named("借贷宝", 3)).add(named("quickloan", 2)).add(named("alpha", 1))
        .add(named("bravo", 1)).add(named("charlie", 1)), r.getJsonArray("platforms"));

    // One reporter counts once: naming another platform moves their count.
    report(changesMind, "ＤＥＬＴＡ");
    assertEquals(new JsonArray().add(named("借贷宝", 3)).add(named("delta", 2)).add(named("alpha", 1))
        .add(named("bravo", 1)).add(named("charlie", 1)), api().lookup("13700137000").getJsonArray("platforms"));
  }

  @Test
  void aNumberNobodyNamedAPlatformForShowsNone() {
    assertEquals(new JsonArray(), api().lookup("13700137001").getJsonArray("platforms"));
    assertEquals(202, api().report(api().newToken(), "203.0.113.9",
        new JsonObject().put("number", "13700137001").put("category", "FRAUD")).statusCode());
    JsonObject reported = api().lookup("13700137001");
    assertEquals(1, reported.getLong("reports"));
    assertEquals(new JsonArray(), reported.getJsonArray("platforms"));
  }
}
