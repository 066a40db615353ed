package org.dunblock.server.feed;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
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
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 16 item 4: the snapshot's format version and probe rules, and removals in the changes and the stream. */
@ExtendWith(VertxExtension.class)
class FilterFeedFormatIT {
  static final String ADMIN_KEY = "feed-format-admin-key-0123456789abcdef";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  DunblockServer server;
  Api api;
  String token;
  int nextNet;

  @BeforeEach
  void start(Vertx vertx) {
    server = TestServers.start(TestServers.config(redis).filterRebuildInterval(Duration.ofMillis(50))
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

  private void override(String e164, String verdict) {
    HttpResponse<Buffer> r = Api.await(api.request(HttpMethod.PUT, "/v1/admin/overrides/" + e164)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "application/json")
        .sendBuffer(new JsonObject().put("verdict", verdict).put("reason", "test").toBuffer()));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  private void clearOverride(String e164) {
    HttpResponse<Buffer> r = Api.await(api.request(HttpMethod.DELETE, "/v1/admin/overrides/" + e164 + "?reason=test")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send());
    assertTrue(r.statusCode() == 200 || r.statusCode() == 204, r.statusCode() + " " + r.bodyAsString());
  }

  private JsonObject changes(String since) {
    HttpResponse<Buffer> r = api.get("/v1/filter/changes?since=" + URLEncoder.encode(since, StandardCharsets.UTF_8));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static BloomFilter<CharSequence> read(Buffer body) throws IOException {
    return BloomFilter.readFrom(new ByteArrayInputStream(body.getBytes()), Funnels.stringFunnel(StandardCharsets.UTF_8));
  }

  @Test
  void snapshotNamesItsFormatAndProbesAndOldRequestsGetTheSameBytes() throws IOException {
    report("+8613800138000");
    // An app that predates the format parameter (the SDK before issue 16) sends only Accept.
    HttpResponse<Buffer> old = Api.await(api.request(HttpMethod.GET, "/v1/filter")
        .putHeader("Accept", "application/vnd.dunblock.bloom").send());
    assertEquals(200, old.statusCode());
    assertEquals("1", old.getHeader(FilterFeedApi.FORMAT_HEADER));
    assertEquals("exact; prefix key=P: min=4 short=3; range key=R: cut=2 min=11",
        old.getHeader(FilterFeedApi.PROBES_HEADER));
    assertTrue(read(old.body()).mightContain("+8613800138000"), "format 1 is Guava's writeTo, as before");

    HttpResponse<Buffer> asked = api.get("/v1/filter?format=1");
    assertEquals("1", asked.getHeader(FilterFeedApi.FORMAT_HEADER));
    assertEquals(old.getHeader("ETag"), asked.getHeader("ETag"));
    assertEquals(old.body(), asked.body());
    // An app that reads a newer format too is served the newest this server has.
    assertEquals("1", api.get("/v1/filter?format=1,7").getHeader(FilterFeedApi.FORMAT_HEADER));

    HttpResponse<Buffer> unknown = api.get("/v1/filter?format=7");
    assertEquals(406, unknown.statusCode());
    assertEquals("unsupported_filter_format", unknown.bodyAsJsonObject().getString("error"));
    HttpResponse<Buffer> garbage = api.get("/v1/filter?format=v2");
    assertEquals(400, garbage.statusCode());
    assertEquals("invalid_format", garbage.bodyAsJsonObject().getString("error"));
  }

  @Test
  void anAllowOverrideIsARemovalInTheChangesAndLeavesTheNextSnapshot() throws IOException {
    report("+8613800138000");
    report("+8613800138001");
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);

    override("+8613800138000", "ALLOW");
    override("+8613800138009", "BLOCK");
    JsonObject page = changes(version);
    assertEquals(new JsonArray().add("+8613800138000"), page.getJsonArray("removed"), page.encode());
    assertEquals(new JsonArray().add("+8613800138009"), page.getJsonArray("added"), page.encode());

    // The override lifted: the crowd's record needs a lookup again, so the number is added back.
    String afterAllow = page.getString("version");
    clearOverride("+8613800138000");
    JsonObject back = changes(afterAllow);
    assertEquals(new JsonArray().add("+8613800138000"), back.getJsonArray("added"), back.encode());
    assertEquals(new JsonArray(), back.getJsonArray("removed"));
    // Within one page the last change wins: allowed again, it is only removed.
    override("+8613800138000", "ALLOW");
    JsonObject both = changes(afterAllow);
    assertEquals(new JsonArray().add("+8613800138000"), both.getJsonArray("removed"), both.encode());
    assertFalse(both.getJsonArray("added").contains("+8613800138000"), both.encode());

    // An override cleared with no crowd record behind it leaves nothing to look up.
    String beforeClear = both.getString("version");
    clearOverride("+8613800138009");
    assertEquals(new JsonArray().add("+8613800138009"), changes(beforeClear).getJsonArray("removed"));

    String current = both.getString("version");
    waitUntil("a snapshot after the overrides", Duration.ofSeconds(10),
        () -> !version.equals(api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER))
            && !current.equals(api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER)));
    HttpResponse<Buffer> snapshot = api.get("/v1/filter");
    BloomFilter<CharSequence> filter = read(snapshot.body());
    assertTrue(filter.mightContain("+8613800138001"));
    assertFalse(filter.mightContain("+8613800138000"), "an ALLOW override is not in app snapshots");
    assertFalse(filter.mightContain("+8613800138009"));
    assertEquals("1", snapshot.getHeader("X-Filter-Numbers"));
    // The server itself still answers from the override.
    assertEquals("ALLOW", api.lookup("+8613800138000").getString("verdict"));
  }

  @Test
  void theStreamSaysRemoveForAnAllowOverride(Vertx vertx) {
    report("+8613800138000");
    String version = api.get("/v1/filter").getHeader(FilterFeedApi.VERSION_HEADER);
    override("+8613800138000", "ALLOW"); // after the version: the catch-up carries it
    StringBuffer events = new StringBuffer();
    HttpClient client = vertx.createHttpClient();
    try {
      Api.await(client.request(new RequestOptions().setHost("127.0.0.1").setPort(server.port())
              .setURI("/v1/filter/stream?since=" + URLEncoder.encode(version, StandardCharsets.UTF_8)))
          .compose(req -> req.send().map(resp -> {
            resp.handler(b -> events.append(b.toString(StandardCharsets.UTF_8)));
            return resp;
          })));
      waitUntil("catch-up removal", Duration.ofSeconds(5),
          () -> events.toString().contains("event: remove\nid: ")
              && events.toString().contains("{\"number\":\"+8613800138000\"}"));
      report("+8613800138001");
      override("+8613800138001", "ALLOW");
      waitUntil("live add then remove", Duration.ofSeconds(2), () -> {
        String text = events.toString();
        int add = text.indexOf("event: add\n");
        int remove = text.lastIndexOf("event: remove\n");
        return add >= 0 && remove > add && text.substring(remove).contains("+8613800138001");
      });
    } finally {
      client.close();
    }
  }
}
