package org.dunblock.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestRedisCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Redis Cluster master is killed (SIGKILL, as a crashed machine) while reporters keep reporting, each retrying a
 * refused report with the same Idempotency-Key. Its replica takes over; this shows what is and is not lost.
 *
 * <p>Redis replicates asynchronously: a report acknowledged in the last moments before the kill may not have reached
 * the replica, and is then gone. The test measures how many; it requires that nothing acknowledged earlier than that
 * window, and nothing acknowledged after the takeover, is lost, and that the dead master's shards take reports again
 * within seconds. Meanwhile a report on a healthy shard through one instance reaches a second instance's filter
 * within a second: the follower does not wait for the failing shards.
 */
class ClusterFailoverIT {
  /** Acknowledged longer ago than this before the kill, a report has surely reached the replica (loopback). */
  static final Duration REPLICATION_WINDOW = Duration.ofSeconds(1);
  static final int WORKERS = 4;

  @RegisterExtension
  static final TestRedis redis = TestRedis.clusterPerClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);
  /** A second instance, which learns of the first one's reports from the change streams. */
  @RegisterExtension
  final RunningServer other = RunningServer.on(redis);

  /** An acknowledged report: when the attempt that succeeded was sent, and when its 202 came. */
  record Ack(String number, long sentNanos, long atNanos) {
  }

  @Test
  void aKilledMasterIsReplacedByItsReplicaAndOnlyTheLastMomentsBeforeTheKillCanBeLost() throws Exception {
    TestRedisCluster cluster = redis.cluster();
    List<String> streams = IntStream.range(0, KeySchema.SHARDS).mapToObj(KeySchema::changes).toList();
    assertEquals(3, cluster.mastersOwning(streams), "the sixteen shards spread over all three masters");
    int victim = cluster.masterPortOf(KeySchema.changes(0));
    Set<Integer> victimShards = IntStream.range(0, KeySchema.SHARDS)
        .filter(s -> cluster.masterPortOf(KeySchema.changes(s)) == victim).boxed().collect(Collectors.toSet());

    Api api = app.api();
    Queue<Ack> acks = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger refusals = new AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    for (int w = 0; w < WORKERS; w++) {
      String token = api.newToken();
      String network = "203.0." + w + ".7";
      Thread worker = new Thread(() -> {
        try {
          while (!stop.get()) {
            String number = String.format("+86139%08d", next.getAndIncrement());
            String key = UUID.randomUUID().toString();
            JsonObject report = new JsonObject().put("number", number).put("category", "DEBT_COLLECTION");
            Api.Acknowledged ack = api.reportUntilAcknowledged(token, network, report, key);
            refusals.addAndGet(ack.refusals());
            acks.add(new Ack(number, ack.sentNanos(), System.nanoTime()));
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      }, "reporter-" + w);
      worker.start();
      workers.add(worker);
    }

    Conditions.waitUntil("200 reports before the kill", Duration.ofSeconds(30), () -> acks.size() >= 200);
    List<String> reporters = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      reporters.add(api.newToken());
    }
    cluster.killMasterOf(KeySchema.changes(0));
    long killedAt = System.nanoTime(); // the process is gone
    // While the dead master's slots wait for their replica, the other shards' changes still reach other instances.
    // A reporter's own rate-limit and trust keys may live on the dead master (then its report is refused): the
    // first reporter whose keys do not is the one.
    String healthy = IntStream.range(0, 1000).mapToObj(i -> String.format("+86136%08d", i))
        .filter(n -> !victimShards.contains(KeySchema.shardOf(n))).findFirst().orElseThrow();
    JsonObject healthyReport = new JsonObject().put("number", healthy).put("category", "DEBT_COLLECTION");
    int tried = 0;
    while (api.report(reporters.get(tried), "192.0.2." + tried, healthyReport).statusCode() != 202) {
      assertTrue(++tried < reporters.size(), "a report on a healthy shard is acknowledged during the failover");
    }
    Conditions.waitUntil("a report on a healthy shard seen by the other instance during the failover",
        Duration.ofSeconds(1), () -> other.api().lookup(healthy).getInteger("reports") >= 1);
    boolean duringFailover = cluster.liveMasters() < 3;
    // Reports keep coming; wait until the dead master's shards take reports sent after the kill again.
    Conditions.waitUntil("reports on the failed-over shards", Duration.ofSeconds(30), () -> acks.stream()
        .filter(a -> a.sentNanos() > killedAt && victimShards.contains(KeySchema.shardOf(a.number()))).count() >= 50);
    long recoveredAt = acks.stream().filter(a -> a.sentNanos() > killedAt
        && victimShards.contains(KeySchema.shardOf(a.number()))).mapToLong(Ack::atNanos).min().orElseThrow();
    stop.set(true);
    for (Thread worker : workers) {
      worker.join(Duration.ofSeconds(30).toMillis());
    }
    assertTrue(errors.isEmpty(), () -> "reporters failed: " + errors);

    List<Ack> lost = new ArrayList<>();
    for (Ack ack : acks) {
      if (api.settledLookup(ack.number()).getInteger("reports", 0) < 1) {
        lost.add(ack);
      }
    }
    long windowNanos = REPLICATION_WINDOW.toNanos();
    System.out.printf("Failover: a healthy shard's report reached the other instance %s; "
            + "%d reports acknowledged (%d before the kill), %d refused and retried, "
            + "failed-over shards took new reports again %d ms after the kill; %d acknowledged reports lost: %s%n",
        duringFailover ? "before the replica took over" : "(the replica had taken over already)", acks.size(), acks.stream().filter(a -> a.atNanos() < killedAt).count(), refusals.get(),
        Duration.ofNanos(recoveredAt - killedAt).toMillis(), lost.size(), lost);
    for (Ack ack : lost) {
      assertTrue(ack.sentNanos() < killedAt, "lost a report sent after the kill: " + ack.number());
      assertTrue(killedAt - ack.atNanos() < windowNanos, "lost a report acknowledged "
          + Duration.ofNanos(killedAt - ack.atNanos()).toMillis() + " ms before the kill: " + ack.number());
    }
    assertTrue(Duration.ofNanos(recoveredAt - killedAt).toSeconds() < 15, "the replica took over within 15 s");
  }
}
