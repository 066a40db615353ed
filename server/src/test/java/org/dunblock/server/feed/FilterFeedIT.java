package org.dunblock.server.feed;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import com.google.common.hash.Hashing;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The app filter protocol: snapshot with ETag and checksum, changes since a version, 410, and the live stream. */
@ExtendWith(VertxExtension.class)
class FilterFeedIT {
  static final String ADMIN_KEY = "feed-admin-key-0123456789abcdef";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  DunblockServer server;
  Api api;
  String token;
  int nextNet;

  @BeforeEach
  void start(Vertx vertx) {
    server = TestServers.start(TestServers.config(redis).filterRebuildInterval(Duration.ofMinutes(30))
        .adminKey(ADMIN_KEY));
    api = new Api(vertx, server.port());
    waitReady(api);
    token = api.newToken();
  }

  @AfterEach
  void stop() {
    api.close();
    server.close();
  }

  private void report(String e164) {
    HttpResponse<Buffer> r = api.report(token, "203.0." + (nextNet++) + ".1",
        new JsonObject().put("number", e164).put("category", "DEBT_COLLECTION"));
    assertEquals(202, r.statusCode(), r.bodyAsString());
  }

  private static BloomFilter<CharSequence> read(Buffer body) throws IOException {
    return BloomFilter.readFrom(new ByteArrayInputStream(body.getBytes()), Funnels.stringFunnel(StandardCharsets.UTF_8));
  }

  private HttpResponse<Buffer> changes(String since) {
    return api.get("/v1/filter/changes?since=" + URLEncoder.encode(since, StandardCharsets.UTF_8));
  }

  @Test
  void snapshotHoldsEveryListedNumberAndMatchesItsChecksum() throws IOException {
    report("+8613800138000");
    report("+8613800138001");
    report("+8695588");
    HttpResponse<Buffer> r = api.get("/v1/filter");
    assertEquals(200, r.statusCode());
    assertEquals("application/vnd.dunblock.bloom", r.getHeader("Content-Type"));
    String sha = r.getHeader(FilterFeedApi.SHA256_HEADER);
    assertEquals(Hashing.sha256().hashBytes(r.body().getBytes()).toString(), sha);
    assertEquals("\"" + sha.substring(0, 32) + "\"", r.getHeader("ETag"));
    assertEquals("3", r.getHeader("X-Filter-Numbers"));
    assertEquals("16384", r.getHeader("X-Filter-Capacity"));
    assertNotNull(FilterVersion.parse(r.getHeader(FilterFeedApi.VERSION_HEADER)));
    BloomFilter<CharSequence> filter = read(r.body());
    for (String n : new String[] {"+8613800138000", "+8613800138001", "+8695588"}) {
      assertTrue(filter.mightContain(n), n);
    }
    // Sized for the list, not the server's 10M numbers: a phone can download it.
    assertTrue(r.body().length() < 25_000, "snapshot bytes: " + r.body().length());
  }

  @Test
  void unchangedSnapshotAnswers304AndIsServedFromMemory() {
    report("+8613800138000");
    HttpResponse<Buffer> first = api.get("/v1/filter");
    assertEquals(200, first.statusCode());
    String etag = first.getHeader("ETag");
    Map<String, Long> before = redis.commandCalls();
    assertNotNull(before.get("zscan"), "the first snapshot was built from the indexes");
    HttpResponse<Buffer> again = api.get("/v1/filter");
    assertEquals(etag, again.getHeader("ETag"));
    assertEquals(first.body(), again.body());
    Map<String, Long> after = redis.commandCalls();
    assertEquals(before.get("zscan"), after.get("zscan"), "second download is not rebuilt");

    HttpResponse<Buffer> notModified = Api.await(api.request(HttpMethod.GET, "/v1/filter")
        .putHeader("If-None-Match", etag).send());
    assertEquals(304, notModified.statusCode());
    assertEquals(etag, notModified.getHeader("ETag"));
    assertEquals(first.getHeader(FilterFeedApi.VERSION_HEADER), notModified.getHeader(FilterFeedApi.VERSION_HEADER));
    assertTrue(notModified.body() == null || notModified.body().length() == 0);

    HttpResponse<Buffer> other = Api.await(api.request(HttpMethod.GET, "/v1/filter")
        .putHeader("If-None-Match", "\"something-else\"").send());
    assertEquals(200, other.statusCode());
  }

  @Test
  void changesSinceASnapshotListTheNumbersReportedAfterIt() {
    report("+8613800138000");
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    HttpResponse<Buffer> none = changes(version);
    assertEquals(200, none.statusCode());
    assertEquals(new JsonArray(), none.bodyAsJsonObject().getJsonArray("added"));
    assertEquals(version, none.bodyAsJsonObject().getString("version"));

    report("+8613800138002");
    report("+8613800138003");
    JsonObject page = changes(version).bodyAsJsonObject();
    assertEquals(Map.of("+8613800138002", true, "+8613800138003", true),
        Map.of(page.getJsonArray("added").getString(0), true, page.getJsonArray("added").getString(1), true));
    assertEquals(2, page.getJsonArray("added").size());
    assertFalse(page.getBoolean("more"));
    assertEquals(new JsonArray(), page.getJsonArray("removed"));
    assertTrue(page.getInteger("pollAfterSeconds") >= 60);
    String next = page.getString("version");
    assertNotEquals(version, next);
    assertEquals(new JsonArray(), changes(next).bodyAsJsonObject().getJsonArray("added"));
  }

  @Test
  void clientTooFarBehindGets410() {
    String number = "+8613800138000";
    report(number);
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    report(sameShard(number)); // a newer entry of the same shard's stream (a listed number adds none)
    // The stream drops the entry the client holds, as MAXLEN trimming does to a client offline for long.
    redis.commands().xtrim(KeySchema.changes(KeySchema.shardOf(number)), 1);
    HttpResponse<Buffer> r = changes(version);
    assertEquals(410, r.statusCode());
    assertEquals("filter_version_gone", r.bodyAsJsonObject().getString("error"));
  }

  /** Another number of the shard of {@code number}. */
  private static String sameShard(String number) {
    for (int i = 1; i < 1000; i++) {
      String other = String.format("+86138001%05d", i);
      if (!other.equals(number) && KeySchema.shardOf(other) == KeySchema.shardOf(number)) {
        return other;
      }
    }
    throw new IllegalStateException("no other number of the shard of " + number);
  }

  @Test
  void versionFromAnotherDeploymentGets410() {
    report("+8613800138000");
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    redis.commands().del(KeySchema.changes(KeySchema.shardOf("+8613800138000")));
    assertEquals(410, changes(version).statusCode());
  }

  @Test
  void malformedVersionIs400() {
    for (String path : new String[] {"/v1/filter/changes", "/v1/filter/changes?since=", "/v1/filter/changes?since=xyz",
        "/v1/filter/stream?since=1.AAA"}) {
      HttpResponse<Buffer> r = api.get(path);
      assertEquals(400, r.statusCode(), path);
      assertEquals("invalid_version", r.bodyAsJsonObject().getString("error"), path);
    }
  }

  @Test
  void snapshotIsRebuiltOnceItAges(Vertx vertx) throws IOException {
    stop();
    server = TestServers.start(TestServers.config(redis).filterRebuildInterval(Duration.ofMillis(50)));
    api = new Api(vertx, server.port());
    waitReady(api);
    report("+8613800138000");
    String first = api.get("/v1/filter").getHeader("ETag");
    report("+8613800138009");
    waitUntil("a newer snapshot holds the new number", Duration.ofSeconds(10), () -> {
      HttpResponse<Buffer> r = api.get("/v1/filter");
      try {
        return !r.getHeader("ETag").equals(first) && read(r.body()).mightContain("+8613800138009");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
  }

  @Test
  void streamDeliversANewNumberWithinOneSecondAndResumes(Vertx vertx) {
    report("+8613800138000");
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    report("+8613800138001"); // after the version: the stream's catch-up must send it
    StringBuffer events = new StringBuffer();
    HttpClient client = vertx.createHttpClient();
    try {
      HttpClientResponse response = Api.await(client.request(new RequestOptions().setHost("127.0.0.1")
              .setPort(server.port()).setURI("/v1/filter/stream?since=" + URLEncoder.encode(version, StandardCharsets.UTF_8)))
          .compose(req -> req.send().map(resp -> {
            // Attach on the event loop before the first chunk can arrive.
            resp.handler(b -> events.append(b.toString(StandardCharsets.UTF_8)));
            return resp;
          })));
      assertEquals(200, response.statusCode());
      assertTrue(response.getHeader("Content-Type").startsWith("text/event-stream"));
      waitUntil("ready and catch-up", Duration.ofSeconds(5),
          () -> events.toString().contains("event: ready") && events.toString().contains("+8613800138001"));

      report("+8613800138002");
      waitUntil("live add", Duration.ofSeconds(1), () -> events.toString().contains("\"+8613800138002\""));

      // The id of the last add is a version that the changes endpoint accepts and is current.
      String text = events.toString();
      int at = text.lastIndexOf("id: ");
      String lastId = text.substring(at + 4, text.indexOf('\n', at));
      JsonObject after = changes(lastId).bodyAsJsonObject();
      assertEquals(new JsonArray(), after.getJsonArray("added"));
    } finally {
      client.close();
    }
  }

  private void registerVerifiedCaller(String e164) {
    HttpResponse<Buffer> put = Api.await(api.request(HttpMethod.PUT, "/v1/admin/verified-callers/"
            + URLEncoder.encode(e164, StandardCharsets.UTF_8))
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("name", "City Hospital").put("category", "HOSPITAL").toBuffer()));
    assertEquals(200, put.statusCode(), put.bodyAsString());
  }

  @Test
  void theRegisterOfVerifiedCallersLeavesNoTraceInTheAppFeeds(Vertx vertx) {
    report("+8613800138000");
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    // The register is admin-only: its changes reach every instance through the shard change streams, never apps.
    registerVerifiedCaller("+861085132266");
    report("+8613800138004");
    JsonObject page = changes(version).bodyAsJsonObject();
    assertEquals(new JsonArray().add("+8613800138004"), page.getJsonArray("added"), page.encode());

    StringBuffer events = new StringBuffer();
    HttpClient client = vertx.createHttpClient();
    try {
      Api.await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(server.port())
              .setURI("/v1/filter/stream?since=" + URLEncoder.encode(version, StandardCharsets.UTF_8)))
          .compose(req -> req.send().map(resp -> {
            resp.handler(b -> events.append(b.toString(StandardCharsets.UTF_8)));
            return resp;
          })));
      waitUntil("catch-up", Duration.ofSeconds(5), () -> events.toString().contains("+8613800138004"));
      registerVerifiedCaller("+861085132267");
      report("+8613800138005");
      waitUntil("live add", Duration.ofSeconds(2), () -> events.toString().contains("+8613800138005"));
      assertFalse(events.toString().contains(KeySchema.VERIFIED_ENTRY), events.toString());
      assertFalse(events.toString().contains("85132266"), events.toString());
      assertFalse(events.toString().contains("85132267"), events.toString());
    } finally {
      client.close();
    }

    // The server's own filter still follows them: a lookup of a registered, unreported caller is ALLOW.
    assertEquals("ALLOW", api.lookup("+861085132266").getString("verdict"));
  }

  @Test
  void emergencyNumbersStayOutOfTheAppFeedsUnlessAnOperatorOverridesThem(Vertx vertx) throws IOException {
    stop();
    // Snapshots rebuilt as soon as they are asked for again, so the test can see one taken after the reports.
    server = TestServers.start(TestServers.config(redis).filterRebuildInterval(Duration.ofMillis(50))
        .adminKey(ADMIN_KEY));
    api = new Api(vertx, server.port());
    waitReady(api);
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    StringBuffer events = new StringBuffer();
    HttpClient client = vertx.createHttpClient();
    try {
      openStream(client, version, events);
      // The police number answers ALLOW whatever the crowd says (DESIGN.md rule 9): apps need not ask about it, and
      // must not mark it as listed.
      report("+86110");
      report("+8613800138006");
      waitUntil("live add", Duration.ofSeconds(5), () -> events.toString().contains("+8613800138006"));
      assertFalse(addEvent(events, "+86110"), events.toString());
    } finally {
      client.close();
    }
    JsonObject page = changes(version).bodyAsJsonObject();
    assertEquals(new JsonArray().add("+8613800138006"), page.getJsonArray("added"), page.encode());
    assertEquals("ALLOW", api.lookup("+86110").getString("verdict"));
    waitUntil("a snapshot after the reports", Duration.ofSeconds(10), () -> {
      try {
        return read(api.get("/v1/filter").body()).mightContain("+8613800138006");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
    });
    assertFalse(read(api.get("/v1/filter").body()).mightContain("+86110"), "the snapshot leaves the police out");

    // An operator's BLOCK is the one thing that lists it for apps; clearing it drops it again.
    String blocked = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    assertEquals(200, override("PUT", "BLOCK"));
    assertEquals(new JsonArray().add("+86110"), changes(blocked).bodyAsJsonObject().getJsonArray("added"));
    assertEquals(200, override("DELETE", null));
    JsonObject cleared = changes(blocked).bodyAsJsonObject();
    assertEquals(new JsonArray(), cleared.getJsonArray("added"), cleared.encode());
    assertEquals(new JsonArray().add("+86110"), cleared.getJsonArray("removed"), cleared.encode());
  }

  private static boolean addEvent(StringBuffer events, String number) {
    return java.util.Arrays.stream(events.toString().split("\n\n"))
        .anyMatch(e -> e.startsWith("event: add") && e.contains("\"" + number + "\""));
  }

  private int override(String method, String verdict) {
    var request = api.request(HttpMethod.valueOf(method), "/v1/admin/overrides/%2B86110")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY);
    if (verdict == null) {
      request.addQueryParam("reason", "the spoofing stopped");
    }
    return Api.await(verdict == null ? request.send() : request.sendJsonObject(
        new JsonObject().put("verdict", verdict).put("reason", "spoofed police number used by a collector")))
        .statusCode();
  }

  /** Opens the stream from {@code version}; the status and, while it stays open, every byte the server sends. */
  private HttpClientResponse openStream(HttpClient client, String version, StringBuffer events) {
    return Api.await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(server.port())
            .setURI("/v1/filter/stream?since=" + URLEncoder.encode(version, StandardCharsets.UTF_8)))
        .compose(req -> req.send().map(resp -> {
          resp.handler(b -> events.append(b.toString(StandardCharsets.UTF_8)));
          return resp;
        })));
  }

  @Test
  void streamCatchUpBeyondTheBoundIs410AndWithinItArrivesWhole(Vertx vertx) {
    stop();
    server = TestServers.start(TestServers.config(redis).filterStreamCatchUpMax(5));
    api = new Api(vertx, server.port());
    waitReady(api);
    token = api.newToken();
    report("+8613800138000");
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    for (int i = 1; i <= 5; i++) {
      report("+861380013810" + i);
    }
    StringBuffer events = new StringBuffer();
    HttpClient client = vertx.createHttpClient();
    try {
      HttpClientResponse within = openStream(client, version, events);
      assertEquals(200, within.statusCode());
      waitUntil("the whole catch-up", Duration.ofSeconds(5), () -> events.toString().contains("+8613800138105"));
      for (int i = 1; i <= 5; i++) {
        assertEquals(1, count(events.toString(), "\"+861380013810" + i + "\""), events.toString());
      }
      // The id after the catch-up is current: nothing is missing between it and the live feed.
      String text = events.toString();
      int at = text.lastIndexOf("id: ");
      assertEquals(new JsonArray(), changes(text.substring(at + 4, text.indexOf('\n', at)))
          .bodyAsJsonObject().getJsonArray("added"));
    } finally {
      client.close();
    }

    report("+8613800138106"); // six changes since the version: one more than a stream replays
    HttpResponse<Buffer> beyond = api.get("/v1/filter/stream?since=" + URLEncoder.encode(version, StandardCharsets.UTF_8));
    assertEquals(410, beyond.statusCode(), beyond.bodyAsString());
    JsonObject error = beyond.bodyAsJsonObject();
    assertEquals("filter_version_gone", error.getString("error"));
    assertTrue(error.getString("message").contains("/v1/filter"), error.encode());
    // The changes endpoint, which pages, still serves the same client.
    assertEquals(6, changes(version).bodyAsJsonObject().getJsonArray("added").size());
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }
}
