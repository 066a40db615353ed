package org.dunblock.client;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 item 4 through the real server: removals reach the SDK as changes (no full download), live updates go to
 * a journal instead of rewriting the filter file, and a filter format or probe rule the SDK does not know is refused.
 */
class FilterSyncIT {
  static final String ADMIN_KEY = "sdk-filter-admin-key-0123456789abcdef";
  static TestRedis redis;
  static Vertx vertx;
  DunblockServer server;
  Api api;
  String reporterToken;
  int nextNet;
  final List<DunblockClient> clients = new ArrayList<>();
  /** "METHOD path status" of every exchange the SDK made. */
  final List<String> exchanges = new CopyOnWriteArrayList<>();
  /** Header to replace in snapshot answers (name, value), as a server of another format would send. */
  final AtomicReference<String[]> snapshotHeader = new AtomicReference<>();
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
    server = TestServers.start(TestServers.config(redis).adminKey(ADMIN_KEY)
        .filterRebuildInterval(Duration.ofMinutes(30)));
    api = new Api(vertx, server.port());
    Conditions.waitReady(api);
    reporterToken = api.newToken();
  }

  @AfterEach
  void stop() {
    clients.forEach(DunblockClient::close);
    api.close();
    server.close();
  }

  DunblockClient client(String name) {
    OkHttpClient http = new OkHttpClient.Builder().addInterceptor(chain -> {
      Response response = chain.proceed(chain.request());
      exchanges.add(chain.request().method() + " " + chain.request().url().encodedPath() + " " + response.code());
      String[] replace = snapshotHeader.get();
      if (replace != null && chain.request().url().encodedPath().equals("/v1/filter")) {
        return response.newBuilder().header(replace[0], replace[1]).build();
      }
      return response;
    }).build();
    DunblockClient c = DunblockClient.create(DunblockClientOptions.builder().backgroundSync(false)
        .baseUrl("http://127.0.0.1:" + server.port() + "/")
        .cacheDir(temp.resolve(name).toFile())
        .retryBaseDelay(Duration.ofMillis(50))
        .httpClient(http)
        .build());
    clients.add(c);
    return c;
  }

  void close(DunblockClient c) {
    c.close();
    clients.remove(c);
  }

  void serverReport(String number) {
    assertEquals(202, api.report(reporterToken, "198.51." + (nextNet++) + ".1",
        new JsonObject().put("number", number).put("category", "DEBT_COLLECTION")).statusCode());
  }

  void override(String number, String verdict) {
    HttpResponse<Buffer> r = Api.await(api.request(HttpMethod.PUT, "/v1/admin/overrides/" + number)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "application/json")
        .sendBuffer(new JsonObject().put("verdict", verdict).put("reason", "sdk test").toBuffer()));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  void clearOverride(String number) {
    HttpResponse<Buffer> r = Api.await(api.request(HttpMethod.DELETE, "/v1/admin/overrides/" + number
        + "?reason=test").putHeader("Authorization", "Bearer " + ADMIN_KEY).send());
    assertTrue(r.statusCode() < 300, r.statusCode() + " " + r.bodyAsString());
  }

  long snapshotDownloads() {
    return exchanges.stream().filter(e -> e.equals("GET /v1/filter 200")).count();
  }

  @Test
  void numberAllowedByAnAdminOverrideLeavesTheSdkThroughChangesWithoutAFullDownload() {
    serverReport("+8613800138000");
    DunblockClient c = client("a");
    c.syncFilter();
    assertEquals(1, snapshotDownloads());
    assertTrue(c.isPossiblyListed("+8613800138000"));

    override("+8613800138000", "ALLOW");
    c.syncFilter();
    assertFalse(c.isPossiblyListed("+8613800138000"), "the removal came with the changes");
    exchanges.clear();
    ScreenResult r = c.screen("13800138000");
    assertEquals(ScreenResult.Source.LOCAL_FILTER, r.source(), r.toString());
    assertEquals(Verdict.ALLOW, r.verdict());
    assertEquals(List.of(), exchanges, "answered without the network");

    // The removal is kept across a restart (journal), still without a snapshot.
    close(c);
    DunblockClient again = client("a");
    assertFalse(again.isPossiblyListed("+8613800138000"));
    // Lifting the override brings the crowd's record back: the number needs a lookup again.
    clearOverride("+8613800138000");
    again.syncFilter();
    assertTrue(again.isPossiblyListed("+8613800138000"));
    assertEquals(0, snapshotDownloads(), "no full download after the first");
  }

  @Test
  void liveUpdatesGoToTheJournalNotTheFilterFileAndSurviveARestart() throws IOException {
    serverReport("+8613800138000");
    DunblockClient c = client("live");
    c.syncFilter();
    File filterFile = temp.resolve("live").resolve("filter.dat").toFile();
    File journal = temp.resolve("live").resolve("filter.journal").toFile();
    long size = filterFile.length();
    long modified = filterFile.lastModified();
    byte[] bytes = Files.readAllBytes(filterFile.toPath());

    c.startLiveUpdates();
    waitUntil("stream open", Duration.ofSeconds(5),
        () -> exchanges.stream().anyMatch(e -> e.startsWith("GET /v1/filter/stream 200")));
    String[] numbers = {"+8613800138011", "+8613800138012", "+8613800138013"};
    for (String n : numbers) {
      serverReport(n);
    }
    override("+8613800138000", "ALLOW");
    waitUntil("the live updates arrived", Duration.ofSeconds(5), () -> Arrays.stream(numbers)
        .allMatch(c::isPossiblyListed) && !c.isPossiblyListed("+8613800138000"));
    c.stopLiveUpdates();
    close(c); // close() used to rewrite the whole filter

    assertEquals(size, filterFile.length(), "filter file not rewritten");
    assertEquals(modified, filterFile.lastModified(), "filter file not rewritten");
    assertTrue(Arrays.equals(bytes, Files.readAllBytes(filterFile.toPath())), "filter file not rewritten");
    assertTrue(journal.length() > 0);

    // A crash in the middle of an append leaves a line without its newline: ignored, not fatal.
    try (FileOutputStream out = new FileOutputStream(journal, true)) {
      out.write("0badc0de c\t1.AAAA\t+8613800138099".getBytes(StandardCharsets.UTF_8));
    }
    exchanges.clear();
    DunblockClient again = client("live");
    assertTrue(again.filterStatus().ready(), "the filter loads despite the torn tail");
    for (String n : numbers) {
      assertTrue(again.isPossiblyListed(n), n);
    }
    assertFalse(again.isPossiblyListed("+8613800138000"), "the live removal survived the restart");
    assertFalse(again.isPossiblyListed("+8613800138099"), "the torn line is not used");
    assertEquals(3, again.filterStatus().numbersAdded());
    assertEquals(List.of(), exchanges, "no download at load");
    // The version the journal recorded is current: a sync brings nothing and downloads no snapshot.
    again.syncFilter();
    assertEquals(0, snapshotDownloads());
    assertEquals(3, again.filterStatus().numbersAdded());
  }

  @Test
  void filterOfAFormatTheSdkDoesNotKnowIsRefusedAndTheServerAnswers() {
    serverReport("+8613800138000");
    DunblockClient c = client("format");
    snapshotHeader.set(new String[] {"X-Filter-Format", "2"});
    TransportException e = assertThrows(TransportException.class, c::syncFilter);
    assertEquals("unsupported_filter_format", e.code());
    assertFalse(c.filterStatus().ready());
    assertFalse(temp.resolve("format").resolve("filter.dat").toFile().exists());
    exchanges.clear();
    ScreenResult unreported = c.screen("13900000001");
    assertEquals(ScreenResult.Source.SERVER, unreported.source(), "without a filter it can read, the server answers");

    // Probe rules the SDK cannot apply in full: refused too, even if an older filter was loaded before.
    snapshotHeader.set(null);
    assertTrue(c.syncFilter().ready());
    snapshotHeader.set(new String[] {"X-Filter-Probes", "exact; suffix key=S: len=4"});
    DunblockClient other = client("probes");
    assertEquals("unsupported_filter_format",
        assertThrows(TransportException.class, other::syncFilter).code());
    assertTrue(other.isPossiblyListed("+8613900000001"), "no filter: every number goes to the server");

    snapshotHeader.set(null);
    assertTrue(other.syncFilter().ready());
    assertFalse(other.isPossiblyListed("+8613900000001"));
    assertTrue(other.isPossiblyListed("+8613800138000"));
  }
}
