package org.dunblock.client;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SDK against the real server and a real Redis: no mock of either. */
class DunblockClientIT {
  static TestRedis redis;
  static Vertx vertx;
  DunblockServer server;
  Api api;
  String reporterToken;
  int nextNet;
  final List<DunblockClient> clients = new ArrayList<>();
  /** "METHOD path status" of every exchange the SDK made. */
  final List<String> exchanges = new CopyOnWriteArrayList<>();
  final AtomicBoolean corruptSnapshots = new AtomicBoolean();
  @TempDir
  Path temp;

  @BeforeAll
  static void startRedis() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopRedis() {
    vertx.close();
    redis.close();
  }

  @BeforeEach
  void startServer() {
    redis.flushAll();
    startServer(TestServers.config(redis).filterRebuildInterval(Duration.ofMillis(50)));
  }

  void startServer(org.dunblock.server.config.DunblockConfig.Builder config) {
    server = TestServers.start(config);
    api = new Api(vertx, server.port());
    Conditions.waitReady(api);
    reporterToken = api.newToken();
  }

  @AfterEach
  void stop() {
    clients.forEach(DunblockClient::close);
    if (api != null) {
      api.close();
    }
    if (server != null) {
      server.close();
    }
  }

  OkHttpClient recordingHttp() {
    return new OkHttpClient.Builder().addInterceptor(chain -> {
      Response response = chain.proceed(chain.request());
      exchanges.add(chain.request().method() + " " + chain.request().url().encodedPath() + " " + response.code());
      if (corruptSnapshots.get() && chain.request().url().encodedPath().equals("/v1/filter") && response.code() == 200) {
        byte[] body = response.body().bytes();
        body[body.length / 2] ^= 0x10;
        return response.newBuilder().body(ResponseBody.create(body, response.body().contentType())).build();
      }
      return response;
    }).build();
  }

  DunblockClient client(String name, int port, DunblockClientOptions.Builder extra) {
    DunblockClient c = DunblockClient.create(extra
        .baseUrl("http://127.0.0.1:" + port + "/")
        .cacheDir(temp.resolve(name).toFile())
        .retryBaseDelay(Duration.ofMillis(50))
        .httpClient(recordingHttp())
        .build());
    clients.add(c);
    return c;
  }

  /** Tests drive sync and delivery themselves unless they test the background work. */
  static DunblockClientOptions.Builder opts() {
    return DunblockClientOptions.builder().backgroundSync(false);
  }

  DunblockClient client(String name) {
    return client(name, server.port(), opts());
  }

  void close(DunblockClient c) {
    c.close();
    clients.remove(c);
  }

  void serverReport(String number) {
    assertEquals(202, api.report(reporterToken, "198.51." + (nextNet++) + ".1",
        new JsonObject().put("number", number).put("category", "DEBT_COLLECTION")).statusCode());
  }

  @Test
  void unreportedNumberIsAnsweredLocallyWithoutAnyHttpCall() {
    serverReport("+8613800138000");
    DunblockClient c = client("a");
    assertTrue(c.syncFilter().ready());
    exchanges.clear();
    ScreenResult r = c.screen("139 0000 0001");
    assertEquals(ScreenResult.Source.LOCAL_FILTER, r.source());
    assertEquals(Verdict.ALLOW, r.verdict());
    assertEquals("+8613900000001", r.number());
    assertFalse(r.possiblyListed());
    assertEquals(List.of(), exchanges, "a filter miss makes no HTTP call");
  }

  @Test
  void numbersUnderABlockedPrefixGoToTheServer() {
    stop();
    startServer(TestServers.config(redis).adminKey(ADMIN_KEY).filterRebuildInterval(Duration.ofMillis(50)));
    assertEquals(200, api.request(io.vertx.core.http.HttpMethod.PUT, "/v1/admin/overrides/prefixes/+86138001")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "application/json")
        .sendBuffer(io.vertx.core.buffer.Buffer.buffer(
            new JsonObject().put("verdict", "BLOCK").put("reason", "collector block").encode()))
        .await().statusCode());
    DunblockClient c = client("prefix");
    c.syncFilter();
    exchanges.clear();
    ScreenResult inside = c.screen("13800155555");
    assertEquals(ScreenResult.Source.SERVER, inside.source(), inside.toString());
    assertEquals(Verdict.BLOCK, inside.verdict());
    // Only the server applies a prefix override to a number (protected numbers): named by the hash-prefix answer,
    // it is the one case a private lookup asks by number.
    assertTrue(exchanges.get(0).startsWith("GET /v1/numbers/hash-prefix/"), exchanges.toString());
    assertEquals("GET /v1/numbers/+8613800155555 200", exchanges.get(1));
    assertEquals(ScreenResult.Source.LOCAL_FILTER, c.screen("13900155555").source());
  }

  @Test
  void numbersOfABlockWithARangeGoToTheServer() {
    // Four consecutive collector lines blocked by five established reporters each make their block of 100 a range.
    for (int line = 0; line < 4; line++) {
      for (int i = 1; i <= 5; i++) {
        assertEquals(202, api.report(api.establishedToken(), "203.0." + i + ".1", new JsonObject()
            .put("number", "+861380013800" + line).put("category", "DEBT_COLLECTION")).statusCode());
      }
    }
    DunblockClient c = client("range");
    c.syncFilter();
    exchanges.clear();
    ScreenResult fresh = c.screen("13800138077");
    assertEquals(ScreenResult.Source.SERVER, fresh.source(), fresh.toString());
    assertEquals(Verdict.WARN, fresh.verdict());
    assertEquals(ScreenResult.Source.LOCAL_FILTER, c.screen("13800138177").source(), "the next block is clean");
  }

  static final String ADMIN_KEY = "sdk-test-admin-key-0123456789abcdef";

  @Test
  void withPrivateLookupsOffAReportedNumberIsLookedUpByNumberAndItsAnswerIsCached() {
    serverReport("+8613800138000");
    DunblockClient c = client("a", server.port(), opts().privateLookups(false));
    c.syncFilter();
    exchanges.clear();
    ScreenResult r = c.screen("13800138000");
    assertEquals(ScreenResult.Source.SERVER, r.source(), r.toString());
    assertEquals(1, r.reputation().reports());
    assertEquals(List.of("GET /v1/numbers/+8613800138000 200"), exchanges);
    // The lookup came with Cache-Control max-age=60: the next call rings without the network.
    assertEquals(ScreenResult.Source.CACHE, c.screen("+86 138 0013 8000").source());
    assertEquals(1, exchanges.size());
  }

  @Test
  void reportedNumberIsScreenedByItsHashPrefixWithoutEverNamingIt() {
    serverReport("+8613800138000");
    DunblockClient c = client("a");
    c.syncFilter();
    exchanges.clear();
    ScreenResult r = c.screen("13800138000");
    assertEquals(ScreenResult.Source.SERVER, r.source(), r.toString());
    assertEquals("+8613800138000", r.reputation().number());
    assertEquals(1, r.reputation().reports());
    assertEquals(c.lookup("+8613800138000").verdict(), r.verdict());
    String prefix = org.dunblock.client.internal.HashPrefix.sha256("+8613800138000").substring(0, 5);
    assertEquals("GET /v1/numbers/hash-prefix/" + prefix + " 200", exchanges.get(0));
    exchanges.remove(1); // the explicit lookup() above, by number
    // The prefix answer came with Cache-Control max-age=60: the next call rings without the network.
    assertEquals(ScreenResult.Source.CACHE, c.screen("+86 138 0013 8000").source());
    assertEquals(1, exchanges.size(), exchanges.toString());
    assertTrue(exchanges.stream().noneMatch(e -> e.contains("13800138000")), exchanges.toString());
  }

  @Test
  void withoutAFilterAnUnreportedNumberIsAnsweredByItsHashPrefix() {
    serverReport("+8613800138000");
    DunblockClient c = client("nofilter");
    exchanges.clear();
    ScreenResult r = c.screen("13900139000");
    assertEquals(ScreenResult.Source.SERVER, r.source(), r.toString());
    assertEquals(Verdict.ALLOW, r.verdict());
    assertEquals(0, r.reputation().reports());
    assertEquals(1, exchanges.size(), exchanges.toString());
    assertTrue(exchanges.get(0).startsWith("GET /v1/numbers/hash-prefix/"), exchanges.toString());
    // A number the SDK cannot normalise cannot be hashed as the server does: ALLOW, and nothing is sent.
    ScreenResult odd = c.screen("12");
    assertEquals(Verdict.ALLOW, odd.verdict(), odd.toString());
    assertEquals("invalid_number", odd.failure().code());
    assertEquals(1, exchanges.size(), exchanges.toString());
  }

  @Test
  void screenFailsOpenWhenTheServerIsDownOrSilent() throws IOException {
    serverReport("+8613800138000");
    DunblockClient c = client("a");
    c.syncFilter();
    server.close();
    server = null;
    ScreenResult down = c.screen("13800138000");
    assertEquals(ScreenResult.Source.FAIL_OPEN, down.source());
    assertTrue(down.failedOpen());
    assertEquals(Verdict.ALLOW, down.verdict());
    assertTrue(down.possiblyListed());
    assertTrue(down.failure() instanceof TransportException, String.valueOf(down.failure()));
    assertNotNull(down.failure().requestId());
    close(c);

    // A server that accepts connections but never answers: the deadline, not the read timeout, decides.
    try (ServerSocket silent = new ServerSocket(0)) {
      List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (IOException e) {
          // closed
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      DunblockClient slow = client("a", silent.getLocalPort(),
          opts().screenDeadline(Duration.ofMillis(300)));
      assertTrue(slow.filterStatus().ready(), "the filter kept in the cache dir is loaded");
      ScreenResult r = slow.screen("13800138000");
      assertEquals(ScreenResult.Source.FAIL_OPEN, r.source());
      assertEquals("timeout", r.failure().code());
      assertEquals(ScreenResult.Source.LOCAL_FILTER, slow.screen("13900000001").source());
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  @Test
  void offlineReportSurvivesARestartAndIsCountedOnce() throws IOException {
    int port = server.port();
    api.close();
    server.close();
    server = null;
    api = null;

    DunblockClient offline = client("a", port, opts());
    ReportReceipt queued = offline.report(Report.builder("13800138000", Category.CONTACT_HARASSMENT).build());
    assertTrue(queued.queued());
    assertEquals(1, offline.pendingReports());
    close(offline);

    startServer(TestServers.config(redis).port(port));
    // Keep a copy of the queued file, as if the app died after the server counted it but before deleting it.
    Path outbox = temp.resolve("a").resolve("outbox");
    Path queuedFile;
    try (var files = Files.list(outbox)) {
      queuedFile = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
    }
    byte[] copy = Files.readAllBytes(queuedFile);

    DunblockClient restarted = client("a", port, opts());
    assertEquals(1, restarted.pendingReports());
    assertEquals(1, restarted.deliverQueuedReports());
    assertEquals(0, restarted.pendingReports());
    assertEquals(1, api.lookup("13800138000").getLong("reports"));
    assertEquals(1L, api.lookup("13800138000").getJsonObject("categories").getLong("CONTACT_HARASSMENT"));

    Files.write(queuedFile, copy);
    assertEquals(1, restarted.deliverQueuedReports());
    assertEquals(1, api.lookup("13800138000").getLong("reports"), "the retry with the same key is not counted again");
    assertTrue(exchanges.stream().filter(e -> e.startsWith("POST /v1/reporters")).count() <= 1,
        "one reporter token, kept in the cache dir");
  }

  @Test
  void backgroundDeliveryRetriesWithBackoffUntilTheServerIsBack() {
    int port = server.port();
    api.close();
    server.close();
    server = null;
    api = null;
    DunblockClient c = client("bg", port, opts().backgroundSync(true));
    assertTrue(c.report(Report.builder("13800138000", Category.THREAT).build()).queued());
    startServer(TestServers.config(redis).port(port));
    waitUntil("queued report delivered in the background", Duration.ofSeconds(15), () -> c.pendingReports() == 0);
    assertEquals(1, api.lookup("13800138000").getLong("reports"));
  }

  /** Stops the server, keeping its port for {@link #serverBack(int)}. */
  int serverDown() {
    int port = server.port();
    api.close();
    server.close();
    server = null;
    api = null;
    return port;
  }

  void serverBack(int port) {
    startServer(TestServers.config(redis).port(port));
  }

  @Test
  void theUsersNewestVoteIsTheOneTheServerKeepsAfterAnOutage() {
    int port = serverDown();
    DunblockClient c = client("order", port, opts());
    // Offline: the user reports the number as a collector...
    assertTrue(c.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build()).queued());
    serverBack(port);
    // ...online again, they take it back. The queued old vote must not arrive after the new one.
    ReportReceipt legit = c.report(Report.builder("+86 138 0013 8000", Category.LEGITIMATE).build());
    assertFalse(legit.queued(), legit.toString());
    c.deliverQueuedReports();
    assertEquals(0, c.pendingReports());
    JsonObject r = api.lookup("13800138000");
    assertEquals(new JsonObject().put("LEGITIMATE", 1), r.getJsonObject("categories"), r.encode());
  }

  @Test
  void reportsQueuedOfflineAreDeliveredInTheOrderTheUserMadeThemEvenWhenThePhoneClockIsSetBack() {
    int port = serverDown();
    MutableClock phone = new MutableClock(Instant.now());
    DunblockClient c = client("order2", port, opts().clock(phone));
    assertTrue(c.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build()).queued());
    assertTrue(c.report(Report.builder("13900139000", Category.THREAT).build()).queued());
    // The user (or the network) sets the phone's clock back two hours, then the user changes their mind.
    phone.advance(Duration.ofHours(-2));
    assertTrue(c.report(Report.builder("13800138000", Category.LEGITIMATE).build()).queued());
    assertEquals(2, c.pendingReports(), "the newer report on 13800138000 replaced the queued one");
    serverBack(port);
    assertEquals(2, c.deliverQueuedReports());
    assertEquals(new JsonObject().put("LEGITIMATE", 1), api.lookup("13800138000").getJsonObject("categories"));
    assertEquals(new JsonObject().put("THREAT", 1), api.lookup("13900139000").getJsonObject("categories"));
  }

  @Test
  void aPhoneWhoseClockIsTenMinutesFastStillReports() {
    Clock fast = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(10));
    DunblockClient c = client("fast", server.port(), opts().clock(fast));
    ReportReceipt online = c.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build());
    assertFalse(online.queued());
    assertNotNull(online.reportId());
    close(c);

    // Queued offline, delivered by the next process: X-Client-Time is the clock when it is sent.
    int port = serverDown();
    DunblockClient offline = client("fast", port, opts().clock(fast));
    assertTrue(offline.report(Report.builder("13900139000", Category.THREAT).build()).queued());
    close(offline);
    serverBack(port);
    DunblockClient later = client("fast", port, opts().clock(fast));
    assertEquals(1, later.deliverQueuedReports());
    assertEquals(1, api.lookup("13800138000").getLong("reports"));
    assertEquals(1, api.lookup("13900139000").getLong("reports"));
  }

  @Test
  void onlineReportIsDeliveredAtOnceWithTypedErrorsForRefusals() {
    DunblockClient c = client("a");
    ReportReceipt receipt = c.report(Report.builder("138-0013-8000", Category.DEBT_COLLECTION).platform("Quick Loan").build());
    assertFalse(receipt.queued());
    assertEquals("+8613800138000", receipt.number());
    assertTrue(receipt.counted());
    assertNotNull(receipt.reportId());

    InvalidRequestException old = assertThrows(InvalidRequestException.class, () -> c.report(
        Report.builder("13800138000", Category.THREAT).occurredAt(Instant.now().minus(Duration.ofDays(90))).build()));
    assertEquals(400, old.status());
    assertEquals("report_too_old", old.code());
    assertNotNull(old.requestId());
    assertEquals(0, c.pendingReports(), "a refused report is not queued");

    InvalidNumberException invalid = assertThrows(InvalidNumberException.class, () -> c.lookup("12"));
    assertEquals("invalid_number", invalid.code());
    assertEquals(400, invalid.status());
    assertNotNull(invalid.requestId());

    List<LookupResult> batch = c.lookupBatch(List.of("13800138000", "nonsense", "95588"));
    assertEquals(1, batch.get(0).reputation().reports());
    assertEquals("invalid_number", batch.get(1).errorCode());
    assertEquals("+8695588", batch.get(2).reputation().number());
    assertEquals(1, c.lookupAsync("13800138000").join().reports());
  }

  @Test
  void damagedFilterFileIsDiscardedAndDownloadedAgain() throws IOException {
    serverReport("+8613800138000");
    DunblockClient c = client("a");
    c.syncFilter();
    close(c);
    File file = temp.resolve("a").resolve("filter.dat").toFile();
    try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
      raf.seek(raf.length() / 2);
      int b = raf.read();
      raf.seek(raf.length() / 2);
      raf.write(b ^ 0x01);
    }
    DunblockClient again = client("a");
    assertFalse(again.filterStatus().ready(), "a damaged filter is never used");
    assertFalse(file.exists());
    exchanges.clear();
    // Without a filter a miss cannot be trusted: the server answers.
    assertEquals(ScreenResult.Source.SERVER, again.screen("13900000001").source());
    assertTrue(again.syncFilter().ready());
    assertEquals(ScreenResult.Source.LOCAL_FILTER, again.screen("13900000001").source());
  }

  @Test
  void snapshotFailingItsChecksumIsNeverUsed() {
    serverReport("+8613800138000");
    DunblockClient c = client("a");
    corruptSnapshots.set(true);
    TransportException e = assertThrows(TransportException.class, c::syncFilter);
    assertEquals("corrupt_filter", e.code());
    assertFalse(c.filterStatus().ready());
    assertFalse(temp.resolve("a").resolve("filter.dat").toFile().exists());
    corruptSnapshots.set(false);
    assertTrue(c.syncFilter().ready());
    assertTrue(c.isPossiblyListed("+8613800138000"));
  }

  @Test
  void currentSnapshotIsRevalidatedWith304() {
    stop();
    clients.clear();
    startServer(TestServers.config(redis).filterRebuildInterval(Duration.ofMinutes(30)));
    serverReport("+8613800138000");
    DunblockClient c = client("a", server.port(), opts().snapshotMaxAge(Duration.ofMillis(1)));
    String version = c.syncFilter().version();
    exchanges.clear();
    c.syncFilter();
    assertTrue(exchanges.contains("GET /v1/filter 304"), exchanges.toString());
    assertEquals(version, c.filterStatus().version());
  }

  @Test
  void deltaSyncEqualsAFreshDownload() throws IOException {
    serverReport("+8613800138000");
    DunblockClient a = client("a");
    a.syncFilter();
    serverReport("+8613800138001");
    serverReport("+8695588");
    serverReport("+12025550123");
    exchanges.clear();
    String version = a.syncFilter().version();
    assertTrue(exchanges.stream().anyMatch(e -> e.startsWith("GET /v1/filter/changes")), exchanges.toString());
    assertTrue(exchanges.stream().noneMatch(e -> e.startsWith("GET /v1/filter ")), "no snapshot: " + exchanges);
    assertEquals(3, a.filterStatus().numbersAdded());

    // Wait for the server's next snapshot, which holds all four numbers itself.
    waitUntil("a snapshot at the current version", Duration.ofSeconds(10),
        () -> version.equals(api.get("/v1/filter").getHeader("X-Filter-Version")));
    DunblockClient b = client("b");
    assertEquals(version, b.syncFilter().version());
    assertEquals(0, b.filterStatus().numbersAdded());
    assertArrayEquals(b.filterBits(), a.filterBits(), "same bits: Bloom filters do not depend on insertion order");
    for (String n : new String[] {"+8613800138000", "+8613800138001", "+8695588", "+12025550123"}) {
      assertTrue(a.isPossiblyListed(n) && b.isPossiblyListed(n), n);
    }
  }

  @Test
  void clientTooFarBehindGets410AndDownloadsASnapshot() {
    DunblockClient c = client("a");
    serverReport("+8613800138000");
    c.syncFilter();
    serverReport("+8613800138055");
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      redis.commands().xtrim(KeySchema.changes(shard), 0);
    }
    waitUntil("the client catches up through a new snapshot", Duration.ofSeconds(10), () -> {
      c.syncFilter();
      return c.isPossiblyListed("+8613800138055");
    });
    assertTrue(exchanges.stream().anyMatch(e -> e.startsWith("GET /v1/filter/changes") && e.endsWith(" 410")),
        exchanges.toString());
  }

  @Test
  void liveStreamDeliversANewNumberWithinOneSecond() {
    serverReport("+8613800138000");
    DunblockClient c = client("a");
    c.syncFilter();
    c.startLiveUpdates();
    waitUntil("stream open", Duration.ofSeconds(5),
        () -> exchanges.stream().anyMatch(e -> e.startsWith("GET /v1/filter/stream 200")));
    assertFalse(c.isPossiblyListed("+8613800138077"));
    serverReport("+8613800138077");
    waitUntil("the new number is in the local filter", Duration.ofSeconds(1),
        () -> c.isPossiblyListed("+8613800138077"));
    waitUntil("version follows the stream", Duration.ofSeconds(5), () -> c.filterStatus().numbersAdded() == 1);
    c.stopLiveUpdates();
    // The version the stream left us at is current: a poll brings nothing new.
    exchanges.clear();
    c.syncFilter();
    assertEquals(1, c.filterStatus().numbersAdded());
  }
}
