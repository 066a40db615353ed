package org.dunblock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A few seconds of bench.sh's own parts, so they cannot rot: OpenLoad drives the bare Vert.x server and a real
 * Dunblock server (real redis-server) at a low constant rate, and every scheduled request is answered without
 * error and recorded once in the latency histogram. It measures nothing: the numbers come from bench.sh.
 */
class BenchSmokeIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);

  static final int RATE = 200;
  static final int SECONDS = 1;

  @Test
  void openLoadDrivesTheBareServerAndDunblockWithoutErrors() throws Exception {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      int bare = BareServer.start(vertx, 1, 0).await(30, TimeUnit.SECONDS);
      assertAllAnswered(URI.create("http://127.0.0.1:" + bare), "unreported");
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    URI dunblock = URI.create("http://127.0.0.1:" + app.server().port());
    assertAllAnswered(dunblock, "unreported");
    assertAllAnswered(dunblock, "reported");
    assertAllAnswered(dunblock, "batch");
  }

  private static void assertAllAnswered(URI url, String scenario) throws Exception {
    OpenLoad.Result result = OpenLoad.measure(url, BenchRequest.source(scenario, 1000, null), RATE, SECONDS, 0, 4);
    assertEquals(RATE * SECONDS, result.sent(), scenario);
    assertEquals(result.sent(), result.ok(), scenario + ": every request answered below 400");
    assertEquals(0, result.errors(), scenario);
    assertEquals(result.sent(), result.latency().getTotalCount(), scenario + ": one latency per request");
    assertTrue(result.latency().getMaxValue() > 0, scenario);
  }
}
