package org.dunblock.server.store;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The default run: no DUNBLOCK_REDIS_URL, an embedded Redis with its append-only file under the data dir. */
@ExtendWith(VertxExtension.class)
class DurabilityIT {

  static DunblockConfig embedded(Path dataDir) {
    return DunblockConfig.builder()
        .host("127.0.0.1")
        .port(TestRedis.freePort())
        .dataDir(dataDir)
        .eventLoops(1)
        .trustedProxies(List.of("127.0.0.1"))
        .filterExpectedNumbers(100_000)
        .build();
  }

  @Test
  void restartingTheServerOnTheSameDataDirKeepsEveryAcknowledgedReport(Vertx vertx, @TempDir Path dataDir)
      throws Exception {
    String[] numbers = {"13800138000", "13912345678", "95588"};
    JsonObject[] before = new JsonObject[numbers.length];
    int acknowledged = 0;

    DunblockServer first = DunblockServer.start(embedded(dataDir), Clock.systemUTC());
    Api api = new Api(vertx, first.port());
    try {
      waitReady(api);
      for (int r = 1; r <= 5; r++) {
        String token = api.newToken();
        for (String n : numbers) {
          var response = api.report(token, "203.0." + r + ".1",
              new JsonObject().put("number", n).put("category", "CONTACT_HARASSMENT"));
          assertEquals(202, response.statusCode());
          acknowledged++;
        }
      }
      for (int i = 0; i < numbers.length; i++) {
        before[i] = api.lookup(numbers[i]);
        assertEquals("BLOCK", before[i].getString("verdict"));
      }
    } finally {
      api.close();
      first.close();
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      assertTrue(files.anyMatch(p -> p.getFileName().toString().contains("dunblock.aof")),
          "append-only file under the data dir");
    }

    DunblockServer second = DunblockServer.start(embedded(dataDir), Clock.systemUTC());
    Api again = new Api(vertx, second.port());
    try {
      waitReady(again);
      long stored = 0;
      for (int i = 0; i < numbers.length; i++) {
        JsonObject after = again.lookup(numbers[i]);
        stored += after.getLong("reports");
        assertEquals(before[i].getString("verdict"), after.getString("verdict"));
        assertEquals(before[i].getJsonObject("categories"), after.getJsonObject("categories"));
        assertEquals(before[i].getString("firstReported"), after.getString("firstReported"));
      }
      assertEquals(acknowledged, stored, "every acknowledged report survives the restart");
    } finally {
      again.close();
      second.close();
    }
  }
}
