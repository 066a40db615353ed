package org.dunblock.server.filter;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A restart loads the filter from its checkpoint and replays the change streams from there (same answers as
 * before), and a checkpoint that does not fit (corrupt, another filter size) is ignored for a full build.
 *
 * <p>To tell which way a filter was loaded, each test lists one number straight in Redis (index and record, no
 * change-stream entry), as a tool writing past the API would: only a build from the indexes finds it.
 */
@ExtendWith(VertxExtension.class)
class FilterCheckpointIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  static final String[] REPORTED = {"13800138000", "13800138001", "95588"};
  static final String BEHIND_THE_STREAMS = "+8613900139000";

  DunblockServer server;
  Api api;

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void restartFromTheCheckpointAnswersAsBefore(Vertx vertx) {
    Map<String, JsonObject> before = reportAndRestart(vertx, c -> { }, commands -> { });

    for (String n : REPORTED) {
      assertTrue(server.filter().mightContain(before.get(n).getString("number")));
      assertEquals(before.get(n), api.lookup(n), n);
    }
    assertFalse(server.filter().mightContain(BEHIND_THE_STREAMS),
        "the filter came from the checkpoint plus the streams, not from the indexes");
    // Reports after the restart still reach the filter and the answers.
    assertEquals(202, api.report(api.newToken(), "203.0.9.1", report("13700137000")).statusCode());
    assertEquals(1, api.lookup("13700137000").getLong("reports"));
  }

  @Test
  void corruptCheckpointIsIgnoredAndTheFilterIsBuiltFromTheIndexes(Vertx vertx) {
    Map<String, JsonObject> before = reportAndRestart(vertx, c -> { },
        commands -> commands.hset(FilterCheckpoint.KEY, "chunk0", "AAAA" + commands.hget(FilterCheckpoint.KEY,
            "chunk0").substring(4)));

    assertTrue(server.filter().mightContain(BEHIND_THE_STREAMS), "built from the indexes");
    for (String n : REPORTED) {
      assertEquals(before.get(n), api.lookup(n), n);
    }
    // The full build wrote a good checkpoint again.
    waitUntil("a new checkpoint", Duration.ofSeconds(10),
        () -> !redis.commands().hget(FilterCheckpoint.KEY, "chunk0").startsWith("AAAA"));
  }

  @Test
  void checkpointOfAnotherFilterSizeIsIgnored(Vertx vertx) {
    Map<String, JsonObject> before = reportAndRestart(vertx, c -> c.filterExpectedNumbers(50_000), commands -> { });

    assertTrue(server.filter().mightContain(BEHIND_THE_STREAMS), "built from the indexes");
    for (String n : REPORTED) {
      assertEquals(before.get(n), api.lookup(n), n);
    }
  }

  /**
   * Starts a server, waits for its checkpoint, reports REPORTED five times each, lists BEHIND_THE_STREAMS past the
   * streams, applies {@code tamper} to Redis, restarts with {@code restartConfig} and returns the answers before.
   */
  private Map<String, JsonObject> reportAndRestart(Vertx vertx, Consumer<DunblockConfig.Builder> restartConfig,
      Consumer<RedisClusterCommands<String, String>> tamper) {
    server = TestServers.start(TestServers.config(redis));
    api = new Api(vertx, server.port());
    waitReady(api);
    waitUntil("the first checkpoint", Duration.ofSeconds(10),
        () -> redis.commands().exists(FilterCheckpoint.KEY) == 1);
    for (int i = 0; i < 5; i++) {
      for (String n : REPORTED) {
        assertEquals(202, api.report(api.newToken(), "203.0." + i + ".1", report(n)).statusCode());
      }
    }
    Map<String, JsonObject> before = new HashMap<>();
    for (String n : REPORTED) {
      before.put(n, api.lookup(n));
    }
    api.close();
    server.close();

    var commands = redis.commands();
    commands.hset(KeySchema.number(BEHIND_THE_STREAMS), Map.of(NumberRecord.REPORTS, "1"));
    commands.zadd(KeySchema.index(KeySchema.shardOf(BEHIND_THE_STREAMS)), (double) System.currentTimeMillis(),
        BEHIND_THE_STREAMS);
    tamper.accept(commands);

    DunblockConfig.Builder config = TestServers.config(redis);
    restartConfig.accept(config);
    server = TestServers.start(config);
    api = new Api(vertx, server.port());
    waitReady(api);
    return before;
  }

  static JsonObject report(String number) {
    return new JsonObject().put("number", number).put("category", "DEBT_COLLECTION");
  }
}
