package org.dunblock.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.RoundRobinBalancer;
import org.dunblock.server.testing.ServerProcess;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaled-out deployment for real: three server processes (the fat jar) on one Redis Cluster, behind a
 * round-robin load balancer. A write through any instance is seen through every other within a second, and an
 * instance killed outright (SIGKILL) while reports flow loses no acknowledged report.
 */
class ScaleOutIT {
  static final int INSTANCES = 3;

  @RegisterExtension
  static final TestRedis redis = TestRedis.clusterPerClass();

  final Vertx vertx = Vertx.vertx();
  final List<ServerProcess> servers = new ArrayList<>();
  final List<Api> apis = new ArrayList<>();
  RoundRobinBalancer balancer;

  void startInstances(Path logs) throws Exception {
    assertTrue(Files.exists(ServerProcess.JAR), "the fat jar is built before integration tests");
    for (int i = 0; i < INSTANCES; i++) {
      ServerProcess server = ServerProcess.start(TestRedis.freePort(), Map.of(
          "DUNBLOCK_REDIS_URL", redis.url(), "DUNBLOCK_SECRET", "scale-out-test-secret-0123456789"),
          logs.resolve("instance-" + i + ".log"));
      servers.add(server);
      apis.add(new Api(vertx, server.port()));
    }
    for (Api api : apis) {
      Conditions.waitUntil("instance ready", Duration.ofSeconds(90), () -> {
        try {
          return api.get("/ready").statusCode() == 200;
        } catch (Exception | AssertionError e) {
          return false; // not listening yet
        }
      });
    }
    balancer = RoundRobinBalancer.start(vertx, servers.stream().map(ServerProcess::port).toList());
  }

  @AfterEach
  void stop() throws Exception {
    apis.forEach(Api::close);
    if (balancer != null) {
      balancer.close();
    }
    servers.forEach(ServerProcess::close);
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  static JsonObject debt(String number) {
    return new JsonObject().put("number", number).put("category", "DEBT_COLLECTION");
  }

  @Test
  void writesThroughAnyInstanceAreSeenByAllAndAKilledInstanceLosesNothingAcknowledged(@TempDir Path logs)
      throws Exception {
    startInstances(logs);

    // A report through each instance in turn is seen by lookups through every instance within one second.
    for (int writer = 0; writer < INSTANCES; writer++) {
      String number = "+861380013800" + writer;
      Api api = apis.get(writer);
      assertEquals(202, api.report(api.newToken(), "203.0.113." + writer, debt(number)).statusCode());
      for (Api reader : apis) {
        Conditions.waitUntil("report through instance " + writer + " seen by all", Duration.ofSeconds(1),
            () -> reader.lookup(number).getInteger("reports") == 1);
      }
    }

    // Reports through the balancer; one instance is killed midway. Refused attempts are retried with the same
    // Idempotency-Key until acknowledged.
    Api viaBalancer = new Api(vertx, balancer.port());
    apis.add(viaBalancer);
    Queue<String> acknowledged = new ConcurrentLinkedQueue<>();
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    AtomicInteger refusals = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < 3; w++) {
      String token = viaBalancer.newToken();
      String network = "198.51.100." + w;
      Thread worker = new Thread(() -> {
        try {
          while (!stop.get()) {
            String number = String.format("+86137%08d", next.getAndIncrement());
            refusals.addAndGet(viaBalancer.reportUntilAcknowledged(token, network, debt(number),
                UUID.randomUUID().toString()).refusals());
            acknowledged.add(number);
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }, "reporter-" + w);
      worker.start();
      workers.add(worker);
    }
    Conditions.waitUntil("100 reports before the kill", Duration.ofSeconds(30), () -> acknowledged.size() >= 100);
    servers.get(1).kill();
    int atKill = acknowledged.size();
    Conditions.waitUntil("100 reports after the kill", Duration.ofSeconds(30),
        () -> acknowledged.size() >= atKill + 100);
    stop.set(true);
    for (Thread worker : workers) {
      worker.join(Duration.ofSeconds(35).toMillis());
    }
    assertTrue(errors.isEmpty(), () -> "reporters failed: " + errors);

    List<String> lost = new ArrayList<>();
    for (String number : acknowledged) {
      for (int survivor : new int[] {0, 2}) {
        JsonObject answer = apis.get(survivor).settledLookup(number);
        if (answer.getInteger("reports") != 1) {
          lost.add(number + " via instance " + survivor + ": " + answer.encode());
        }
      }
    }
    System.out.printf("Scale-out: %d reports acknowledged through the balancer, %d attempts refused and retried "
        + "around the kill, %d lost%n", acknowledged.size(), refusals.get(), lost.size());
    assertEquals(List.of(), lost, "every acknowledged report is stored and seen by the surviving instances");
  }
}
