package org.dunblock.server.security;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TwoServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lookups per client address per minute, one allowance across instances (counted in Redis in batches), answered
 * 429 with Retry-After past it, and still no Redis command per lookup of an unreported number.
 */
class LookupLimitIT {
  static final int LIMIT = 100;
  static final int BURST = 10;
  /** A client's lookups a minute that an instance counts without an entry or a Redis counter: LIMIT / 16. */
  static final int LIGHT = 6;

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  /** Minute windows turn only when a test says so. */
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-22T10:00:00.250Z"));
  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).with(c -> c.lookupsPerClientPerMinute(LIMIT)).clock(clock);

  static HttpResponse<Buffer> lookup(Api api, String clientIp, int i) {
    return Api.await(api.request(HttpMethod.GET, "/v1/numbers/+86139" + String.format("%08d", i))
        .putHeader("X-Forwarded-For", clientIp).send());
  }

  /** The value of an unlabelled gauge in a /metrics text. */
  static double metric(String metrics, String name) {
    return metrics.lines().filter(l -> l.startsWith(name + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElseThrow(() -> new AssertionError(name));
  }

  /** A batch lookup of {@code count} numbers by {@code clientIp}: past a client's light lookups at once. */
  static Future<HttpResponse<Buffer>> batch(Api api, String clientIp, int count) {
    JsonArray numbers = new JsonArray();
    for (int i = 0; i < count; i++) {
      numbers.add("+8613900" + String.format("%06d", i));
    }
    return api.request(HttpMethod.POST, "/v1/numbers/lookup").putHeader("X-Forwarded-For", clientIp)
        .sendJsonObject(new JsonObject().put("numbers", numbers));
  }

  /**
   * The minute hashes of lookup counters (a bucket of clients each) that this test's clock can have made: named one
   * by one, as a KEYS pattern with a brace is sent to a single node of a cluster.
   */
  List<String> counterHashes() {
    List<String> keys = new java.util.ArrayList<>();
    long minute = clock.millis() / 60_000;
    for (long window = minute - 2; window <= minute; window++) {
      for (int bucket = 0; bucket < KeySchema.LOOKUP_COUNTER_BUCKETS; bucket++) {
        keys.add(KeySchema.lookupCounters(bucket, window));
      }
    }
    return keys;
  }

  /** What Redis holds for all lookup counters. */
  long counted() {
    long sum = 0;
    for (String key : counterHashes()) {
      List<String> values;
      try {
        values = redis.commands().hvals(key);
      } catch (io.lettuce.core.RedisCommandExecutionException notAHash) {
        continue; // a test's unwritable stand-in for a counters' hash
      }
      for (String value : values) {
        sum += Long.parseLong(value);
      }
    }
    return sum;
  }

  @Test
  void theAllowanceIsSharedByInstancesAndRefusalsCarryRetryAfter() {
    String client = "198.51.100.77";
    for (int i = 0; i < 60; i++) {
      assertEquals(200, lookup(both.apiA(), client, i).statusCode());
    }
    waitUntil("A's count reaches Redis", Duration.ofSeconds(5), () -> counted() == 60);

    // B learns what A counted when it flushes its own; in bursts, so each burst starts from a flushed count.
    int acceptedByB = 0;
    HttpResponse<Buffer> refused = null;
    for (int burst = 0; burst < 20 && refused == null; burst++) {
      for (int i = 0; i < BURST && refused == null; i++) {
        HttpResponse<Buffer> r = lookup(both.apiB(), client, 1000 + burst * BURST + i);
        if (r.statusCode() == 429) {
          refused = r;
        } else {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          acceptedByB++;
        }
      }
      long expected = 60 + acceptedByB;
      waitUntil("B's count reaches Redis", Duration.ofSeconds(5), () -> counted() == expected);
    }
    assertTrue(refused != null, "B never refused");
    assertTrue(acceptedByB <= LIMIT - 60 + BURST, "B accepted " + acceptedByB + " after A's 60");
    assertTrue(acceptedByB >= LIMIT - 60 - BURST, "B refused early, after " + acceptedByB);
    assertEquals("rate_limited", refused.bodyAsJsonObject().getString("error"));
    assertTrue(refused.getHeader("Content-Type").startsWith("application/json"));
    long retryAfter = Long.parseLong(refused.getHeader("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);

    // A's view is stale until its next flush: it refuses within one flush interval of lookups.
    int acceptedByA = 0;
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    int status = 200;
    for (int i = 0; status != 429 && System.nanoTime() < deadline; i++) {
      status = lookup(both.apiA(), client, 2000 + i).statusCode();
      if (status == 200) {
        acceptedByA++;
        java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      }
    }
    assertEquals(429, status, "A never learned that the allowance was spent");
    assertTrue(acceptedByA <= 40, "A accepted " + acceptedByA + " more");

    // Another client is not affected.
    assertEquals(200, lookup(both.apiA(), "198.51.100.78", 1).statusCode());
  }

  @Test
  void aBatchCountsEveryNumberAndUnreportedLookupsSendNoCommandEach() {
    // An instance started from another's filter checkpoint builds its hash-prefix index with one scan of the
    // shard indexes after it is ready (503 index_loading until then): a one-off, not a command per lookup.
    long[] asked = {0};
    for (Api api : List.of(both.apiA(), both.apiB())) {
      waitUntil("the hash-prefix index is built", Duration.ofSeconds(10), () -> {
        boolean built = Api.await(api.request(HttpMethod.GET, "/v1/numbers/hash-prefix/0000")
            .putHeader("X-Forwarded-For", "192.0.2.200").send()).statusCode() == 200;
        asked[0] += built ? 1 : 0; // a 503 index_loading is refused before the limiter counts it
        return built;
      });
    }
    // Each 200 counts as one lookup (an empty prefix): one or two lookups of one client, light, never sent to Redis.
    Map<String, Long> before = redis.commandCalls();
    long start = System.nanoTime();
    HttpResponse<Buffer> batch = Api.await(both.apiA().request(HttpMethod.POST, "/v1/numbers/lookup")
        .putHeader("X-Forwarded-For", "203.0.113.9")
        .sendJsonObject(new JsonObject().put("numbers", new JsonArray().add("13900000001").add("13900000002")
            .add("13900000003").add("13900000004").add("13900000005"))));
    assertEquals(200, batch.statusCode());
    for (int i = 0; i < 50; i++) {
      assertEquals(200, lookup(both.apiA(), "203.0.113.9", i).statusCode());
    }
    waitUntil("the batch and the lookups are counted", Duration.ofSeconds(5), () -> counted() == 55);
    long flushes = (System.nanoTime() - start) / 1_000_000 / 500 + 2;
    Map<String, Long> commands = redis.commandsSince(before);
    // The counting script's own commands (HINCRBY, PTTL, PEXPIRE) show too; the test's own are HVALS.
    assertTrue(Set.of("evalsha", "hincrby", "pttl", "pexpire", "hvals").containsAll(commands.keySet()),
        commands.toString());
    assertTrue(commands.get("evalsha") <= flushes, "one script call per flush, not per lookup: " + commands);
  }

  @Test
  void manyClientsInOneFlushCostAFewCommandsNotOneEach() {
    // A flush can hold thousands of clients past their light lookups: a command per client was as many commands as
    // lookups, on the Redis the reports need.
    int clients = 200;
    Map<String, Long> before = redis.commandCalls();
    long start = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < clients; i++) {
      sent.add(batch(both.apiA(), "198.18." + (i / 100) + "." + (i % 100), LIGHT + 1)); // past the light lookups
    }
    for (Future<HttpResponse<Buffer>> r : sent) {
      assertEquals(200, Api.await(r).statusCode());
    }
    waitUntil("every client's lookups are counted", Duration.ofSeconds(5),
        () -> counted() == clients * (LIGHT + 1));
    long flushes = (System.nanoTime() - start) / 1_000_000 / 500 + 2;
    Map<String, Long> commands = redis.commandsSince(before);
    long sentToRedis = 0;
    for (String command : List.of("incrby", "pexpire", "evalsha", "eval")) {
      sentToRedis += commands.getOrDefault(command, 0L);
    }
    assertTrue(sentToRedis <= 16 * flushes, "at most 16 commands a flush for " + clients + " clients, over "
        + flushes + " flushes: " + commands);
  }

  @Test
  void lightClientsAreCountedInMemoryAndCostRedisNothingUntilTheyPassSix() {
    // Most users of a call-blocking app look up a number or two a minute: 200 of them, one lookup each.
    Map<String, Long> before = redis.commandCalls();
    List<Future<HttpResponse<Buffer>>> sent = new java.util.ArrayList<>();
    for (int i = 0; i < 200; i++) {
      sent.add(both.apiA().request(HttpMethod.GET, "/v1/numbers/+86139" + String.format("%08d", i))
          .putHeader("X-Forwarded-For", "198.18.1." + i).send());
    }
    for (Future<HttpResponse<Buffer>> r : sent) {
      assertEquals(200, Api.await(r).statusCode());
    }
    // A heavy client after them: once its count is in Redis, every flush that could have sent theirs has run.
    assertEquals(200, Api.await(batch(both.apiA(), "203.0.113.20", 20)).statusCode());
    waitUntil("the heavy client's lookups are counted", Duration.ofSeconds(5), () -> counted() == 20);
    Map<String, Long> commands = redis.commandsSince(before);
    assertEquals(1, commands.get("hincrby"), "one client's count sent, the 200 light ones none: " + commands);
    // What an operator sees: one client counted one by one, and the light ones' sketch in use.
    String metrics = both.apiA().get("/metrics").bodyAsString();
    assertEquals(1.0, metric(metrics, "dunblock_lookup_limiter_clients"), metrics);
    double fill = metric(metrics, "dunblock_lookup_limiter_sketch_fill");
    assertTrue(fill > 0 && fill < 0.01, "sketch fill " + fill);

    // One of them goes on: its next five stay light, the sixth past them makes it heavy, and all seven are counted.
    for (int i = 0; i < LIGHT; i++) {
      assertEquals(200, lookup(both.apiA(), "198.18.1.7", 500 + i).statusCode());
    }
    waitUntil("its seven lookups are counted", Duration.ofSeconds(5), () -> counted() == 20 + LIGHT + 1);
  }

  @Test
  void a48RotatingThroughLight64sStillMeetsItsCeiling() {
    // Each /64 makes one lookup, so each stays light and never gets an entry; the /48 does not, and its ceiling of
    // 16 allowances holds.
    int accepted = 0;
    HttpResponse<Buffer> r;
    while ((r = lookup(both.apiA(), "2001:db8:5a:" + Integer.toHexString(accepted) + "::1", accepted)).statusCode()
        == 200 && accepted <= 16 * LIMIT + 1) {
      accepted++;
    }
    assertEquals(429, r.statusCode(), r.bodyAsString());
    // One more at most: as a flush's reply lands, the count is low for an instant rather than double.
    assertTrue(accepted == 16 * LIMIT || accepted == 16 * LIMIT + 1, "accepted " + accepted);
    assertEquals(200, lookup(both.apiA(), "2001:db8:5b::1", 0).statusCode(), "another /48 has its own ceiling");
  }

  @Test
  void aClientsLightLookupsOnAnotherInstanceReachTheOthersOnlyOnceItIsHeavyThere() {
    String client = "198.51.100.90";
    for (int i = 0; i < LIGHT; i++) {
      assertEquals(200, lookup(both.apiB(), client, i).statusCode(), "light lookup " + i + " on B");
    }
    int acceptedByA = 0;
    HttpResponse<Buffer> r;
    while ((r = lookup(both.apiA(), client, 100 + acceptedByA)).statusCode() == 200 && acceptedByA <= LIMIT + 1) {
      acceptedByA++;
    }
    assertEquals(429, r.statusCode());
    // One more at most: as a flush's reply lands, the count is low for an instant rather than double.
    assertTrue(acceptedByA == LIMIT || acceptedByA == LIMIT + 1,
        "A alone counts exactly, and B's light lookups never reached it: " + acceptedByA);
    int byA = acceptedByA;
    waitUntil("A's count is in Redis", Duration.ofSeconds(5), () -> counted() == byA);
    // B's next lookup makes the client heavy there: its six and this one go to Redis, and B learns the total.
    assertEquals(200, lookup(both.apiB(), client, 300).statusCode());
    waitUntil("B's seven are counted", Duration.ofSeconds(5), () -> counted() == byA + LIGHT + 1);
    // Redis holds the total; B refuses as soon as its flush's reply has reached it.
    int[] more = {0};
    waitUntil("B refuses", Duration.ofSeconds(5), () -> {
      boolean refused = lookup(both.apiB(), client, 400 + more[0]).statusCode() == 429;
      more[0] += refused ? 0 : 1;
      return refused;
    });
    int total = acceptedByA + LIGHT + 1 + more[0];
    // Past the limit: B's light lookups and the one that made the client heavy there, and what B let through
    // while its flush's reply was on its way.
    assertTrue(more[0] <= BURST, "B accepted " + more[0] + " more after Redis held the total");
    assertTrue(total <= LIMIT + 1 + LIGHT + 1 + BURST, "accepted " + total + " over both instances");
  }

  @Test
  void aClientsCounterIsGivenItsExpiryOnceAMinuteNotAtEveryFlush() {
    // A client looking up a number every flush or so: each flush sends its count, but the counter's expiry is set
    // once for the minute (at a few hundred thousand clients a minute, an expiry per flush doubled the commands).
    Map<String, Long> before = redis.commandCalls();
    assertEquals(200, Api.await(batch(both.apiA(), "203.0.113.11", LIGHT + 1)).statusCode());
    waitUntil("the batch is counted", Duration.ofSeconds(5), () -> counted() == LIGHT + 1);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, lookup(both.apiA(), "203.0.113.11", i).statusCode());
      long expected = LIGHT + 2 + i;
      waitUntil("lookup " + expected + " is counted", Duration.ofSeconds(5), () -> counted() == expected);
    }
    Map<String, Long> commands = redis.commandsSince(before);
    assertEquals(4, commands.get("evalsha"), "a count sent at each of the four flushes: " + commands);
    assertEquals(1, commands.get("pexpire"), "one expiry for the minute's counters: " + commands);
    for (String key : counterHashes()) {
      long ttl = redis.commands().pttl(key);
      assertTrue(ttl == -2 || ttl > 0 && ttl <= 2 * 60_000, key + " expires within two minutes: " + ttl);
    }
  }

  @Test
  void aCounterLostMidMinuteIsMadeAgainWithAnExpiry() {
    assertEquals(200, Api.await(batch(both.apiA(), "203.0.113.12", LIGHT + 1)).statusCode());
    waitUntil("the batch is counted", Duration.ofSeconds(5), () -> counted() == LIGHT + 1);
    // What a failover to a replica that had not yet the key, or a restart that lost the last second, leaves.
    for (String key : counterHashes()) {
      redis.commands().del(key);
    }
    assertEquals(200, lookup(both.apiA(), "203.0.113.12", 2).statusCode());
    waitUntil("the next lookup is counted", Duration.ofSeconds(5), () -> counted() == 1);
    waitUntil("the counter made again has an expiry", Duration.ofSeconds(5), () -> {
      for (String key : counterHashes()) {
        long ttl = redis.commands().pttl(key);
        if (ttl == -1 || ttl > 2 * 60_000) {
          return false;
        }
      }
      return true;
    });
  }

  @Test
  void countsThatFailedToReachRedisAsTheMinuteTurnedAreSentOnceItIsBack() {
    long minute = countedButNotSent("203.0.113.30");
    clock.advance(Duration.ofMinutes(1));
    // The minute has turned: the client's entry is gone from the table, its count still not sent. Another client's
    // lookups in the new minute (whose hashes are fine): once they are counted, a flush after the turn has run.
    assertEquals(200, Api.await(batch(both.apiA(), "203.0.113.31", 10)).statusCode());
    waitUntil("the new minute's lookups are counted", Duration.ofSeconds(5), () -> counted() == 10);
    writable(minute);
    waitUntil("the last minute's count is sent once Redis takes it", Duration.ofSeconds(5), () -> counted() == 20);
    // Sent once: a later client's count lands on a total that holds the retried one exactly once.
    assertEquals(200, Api.await(batch(both.apiA(), "203.0.113.32", 10)).statusCode());
    waitUntil("a later count lands", Duration.ofSeconds(5), () -> counted() >= 30);
    assertEquals(30, counted());
  }

  /**
   * Makes every bucket's hash of this minute unwritable (a string, so each flush's script fails with WRONGTYPE, as
   * when Redis is away), has {@code clientIp} look up 10 numbers through A, and waits until a flush tried and failed
   * to send them. Returns the minute.
   */
  long countedButNotSent(String clientIp) {
    long minute = clock.millis() / 60_000;
    for (int bucket = 0; bucket < KeySchema.LOOKUP_COUNTER_BUCKETS; bucket++) {
      redis.commands().set(KeySchema.lookupCounters(bucket, minute), "not a hash");
    }
    assertEquals(200, Api.await(batch(both.apiA(), clientIp, 10)).statusCode());
    long before = scriptCalls();
    waitUntil("a flush tried and failed", Duration.ofSeconds(5), () -> scriptCalls() > before);
    return minute;
  }

  /** Undoes {@link #countedButNotSent}: the minute's hashes can be written again. */
  static void writable(long minute) {
    for (int bucket = 0; bucket < KeySchema.LOOKUP_COUNTER_BUCKETS; bucket++) {
      redis.commands().del(KeySchema.lookupCounters(bucket, minute));
    }
  }

  /** Script calls Redis ran (and, here, failed: WRONGTYPE on a string where the counters' hash should be). */
  static long scriptCalls() {
    return redis.commandCalls().getOrDefault("evalsha", 0L);
  }

  @Test
  void aClientsUnsentCountIsNotLostWhenItsFirstLookupOfTheNextMinuteComesBeforeTheFlush() {
    // This minute's hashes unwritable, so the client's count stays unsent here until the minute has turned.
    long minute = countedButNotSent("203.0.113.40");
    // The minute turns and the same client looks a number up at once, most likely before A's next flush: its entry
    // of the new minute takes the place of the last minute's, whose count is not sent yet.
    clock.advance(Duration.ofMinutes(1));
    assertEquals(200, Api.await(batch(both.apiA(), "203.0.113.40", 10)).statusCode());
    writable(minute);
    waitUntil("both minutes' counts are sent", Duration.ofSeconds(5), () -> counted() == 20);
  }

  @Test
  void lookupsCountedJustBeforeTheMinuteTurnsStillReachRedis() {
    for (int i = 0; i < 30; i++) {
      assertEquals(200, lookup(both.apiA(), "203.0.113.10", i).statusCode());
    }
    // Most likely before A's next flush: the minute of those 30 lookups is over when it runs.
    clock.advance(Duration.ofMinutes(1));
    waitUntil("the last minute's lookups are counted", Duration.ofSeconds(5), () -> counted() == 30);
    assertEquals(200, lookup(both.apiA(), "203.0.113.10", 100).statusCode(), "a new minute, a new allowance");
  }
}
