package org.dunblock.server.export;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.MutableClock;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /v1/export as a carrier sees it: content, filters, gzip, signatures and incremental exports. */
@ExtendWith(VertxExtension.class)
class ExportIT {
  static final String ADMIN_KEY = "dbk_export-admin-key-0123456789abcdef";
  static final String HEADER =
      "op,number,verdict,reasons,categories,reports,reporters,networks,firstReported,lastReported";
  static final String BLOCKED = "+8613800138001";
  static final String WARNED = "+8613800138002";
  static final String ALLOWED = "+8613800138003";
  static final String OVERRIDDEN = "+8613800138004";
  static final String FADING = "+8613800138005";
  static final String STEADY = "+8613800138006";
  static final String NEWCOMER = "+8613800138007";

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  MutableClock clock;
  DunblockServer server;
  Api api;
  String operatorKey;
  int network;

  @BeforeEach
  void start(Vertx vertx) {
    clock = new MutableClock(Instant.now());
    server = TestServers.start(TestServers.config(redis).adminKey(ADMIN_KEY), clock);
    api = new Api(vertx, server.port());
    waitReady(api);
    operatorKey = new KeyRegistry(redis.commands(), Clock.systemUTC()).create(Role.OPERATOR, "carrier", "test")
        .secret();
  }

  @AfterEach
  void stop() {
    api.close();
    server.close();
  }

  // ------------------------------------------------------------------ fixtures

  /** Reports from {@code reporters} new reporters, each on its own /24. */
  void report(String number, String category, int reporters) {
    for (int i = 0; i < reporters; i++) {
      network++;
      HttpResponse<Buffer> r = api.report(api.establishedToken(), "198.51." + network + ".7",
          new JsonObject().put("number", number).put("category", category));
      assertEquals(202, r.statusCode(), r.bodyAsString());
    }
  }

  void override(String number, String verdict) {
    HttpResponse<Buffer> r = Api.await(api.request(HttpMethod.PUT, "/v1/admin/overrides/" + number)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("verdict", verdict).put("reason", "test").toBuffer()));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  /** BLOCKED, WARNED, ALLOWED (a counter-vote only), OVERRIDDEN, FADING (4 reporters) and STEADY (2). */
  void seed() {
    report(BLOCKED, "DEBT_COLLECTION", 6);
    report(WARNED, "THREAT", 1);
    report(ALLOWED, "LEGITIMATE", 1);
    override(OVERRIDDEN, "BLOCK");
    report(FADING, "CONTACT_HARASSMENT", 4);
    report(STEADY, "SILENT", 2);
  }

  HttpResponse<Buffer> export(String query, String... headers) {
    HttpRequest<Buffer> request = api.request(HttpMethod.GET, "/v1/export" + query)
        .putHeader("Authorization", "Bearer " + operatorKey);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return Api.await(request.send());
  }

  HttpResponse<Buffer> ok(String query, String... headers) {
    HttpResponse<Buffer> r = export(query, headers);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r;
  }

  static String version(HttpResponse<Buffer> r) {
    String version = r.getHeader("X-Dunblock-Export-Version");
    assertNotNull(version, "version header");
    assertTrue(version.matches("v[0-9]+-[0-9a-f]{8}"), version);
    return version;
  }

  /** CSV body as number -> whole line, after checking the header. */
  static Map<String, String> csv(String body) {
    String[] lines = body.split("\n", -1);
    assertEquals(HEADER, lines[0]);
    assertEquals("", lines[lines.length - 1], "the body ends with a newline");
    Map<String, String> rows = new TreeMap<>();
    for (int i = 1; i < lines.length - 1; i++) {
      String[] f = lines[i].split(",", -1);
      assertEquals(10, f.length, lines[i]);
      assertEquals(null, rows.put(f[1], lines[i]), "each number once: " + f[1]);
    }
    return rows;
  }

  static String[] fields(String line) {
    return line.split(",", -1);
  }

  // ------------------------------------------------------------------ tests

  @Test
  void csvListsWarnAndBlockNumbersInTheDocumentedColumns() {
    seed();
    HttpResponse<Buffer> r = ok("");
    assertTrue(r.getHeader("Content-Type").startsWith("text/csv"), r.getHeader("Content-Type"));
    version(r);
    Map<String, String> rows = csv(r.bodyAsString());
    assertEquals(List.of(BLOCKED, WARNED, OVERRIDDEN, FADING, STEADY).stream().sorted().toList(),
        new ArrayList<>(rows.keySet()), "WARN and BLOCK by default; the ALLOW number is not listed");

    String[] blocked = fields(rows.get(BLOCKED));
    assertEquals(List.of("upsert", BLOCKED, "BLOCK", "CROWD_REPORTS", "DEBT_COLLECTION:6", "6", "6", "6"),
        Arrays.asList(blocked).subList(0, 8));
    assertFalse(Instant.parse(blocked[8]).isAfter(Instant.parse(blocked[9])), "first and last call, ISO-8601");
    assertEquals(List.of("upsert", WARNED, "WARN", "CROWD_REPORTS", "THREAT:1", "1", "1", "1"),
        Arrays.asList(fields(rows.get(WARNED))).subList(0, 8));
    assertEquals("upsert," + OVERRIDDEN + ",BLOCK,OPERATOR_OVERRIDE,,0,0,0,,", rows.get(OVERRIDDEN),
        "an override on an unreported number: no crowd evidence, no times");
  }

  @Test
  void jsonLinesCarryTheSameRowsWithKeysInColumnOrder() {
    seed();
    Map<String, String> csvRows = csv(ok("").bodyAsString());
    HttpResponse<Buffer> r = ok("?format=jsonl");
    assertTrue(r.getHeader("Content-Type").startsWith("application/x-ndjson"), r.getHeader("Content-Type"));
    String body = r.bodyAsString();
    assertTrue(body.endsWith("\n"));
    Map<String, JsonObject> json = new TreeMap<>();
    for (String line : body.substring(0, body.length() - 1).split("\n")) {
      JsonObject row = new JsonObject(line);
      assertEquals(Arrays.asList(HEADER.split(",")), new ArrayList<>(row.fieldNames()), "key order " + line);
      json.put(row.getString("number"), row);
    }
    assertEquals(csvRows.keySet(), json.keySet());
    JsonObject blocked = json.get(BLOCKED);
    assertEquals("upsert", blocked.getString("op"));
    assertEquals("BLOCK", blocked.getString("verdict"));
    assertEquals(List.of("CROWD_REPORTS"), blocked.getJsonArray("reasons").getList());
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 6), blocked.getJsonObject("categories"));
    assertEquals(6, blocked.getLong("reports"));
    assertEquals(fields(csvRows.get(BLOCKED))[8], blocked.getString("firstReported"));
    assertEquals(null, json.get(OVERRIDDEN).getValue("firstReported"));
  }

  @Test
  void filtersByVerdictCategoryAndTime() {
    seed();
    assertEquals(List.of(BLOCKED, OVERRIDDEN, FADING), new ArrayList<>(csv(ok("?minVerdict=BLOCK").bodyAsString())
        .keySet()));
    assertEquals(List.of(WARNED), new ArrayList<>(csv(ok("?categories=THREAT").bodyAsString()).keySet()));
    assertEquals(List.of(BLOCKED, WARNED), new ArrayList<>(csv(ok("?categories=THREAT,DEBT_COLLECTION")
        .bodyAsString()).keySet()));
    assertEquals(List.of(BLOCKED), new ArrayList<>(csv(ok("?categories=THREAT,DEBT_COLLECTION&minVerdict=BLOCK")
        .bodyAsString()).keySet()));

    Instant between = clock.instant().plusSeconds(1800);
    clock.advance(Duration.ofHours(1));
    report(NEWCOMER, "FRAUD", 1);
    assertEquals(List.of(NEWCOMER), new ArrayList<>(csv(ok("?since=" + between).bodyAsString()).keySet()));
    String offset = between.atOffset(java.time.ZoneOffset.ofHours(8)).toString();
    assertEquals(List.of(NEWCOMER), new ArrayList<>(csv(ok("?since=" + offset.replace("+", "%2B")).bodyAsString())
        .keySet()), "an ISO time with an offset");

    assertEquals("invalid_parameter", export("?minVerdict=ALLOW").bodyAsJsonObject().getString("error"));
    assertEquals("invalid_parameter", export("?format=xml").bodyAsJsonObject().getString("error"));
    assertEquals("invalid_parameter", export("?categories=LOANS").bodyAsJsonObject().getString("error"));
    assertEquals("invalid_parameter", export("?since=yesterday").bodyAsJsonObject().getString("error"));
    assertEquals("invalid_parameter", export("?minverdict=BLOCK").bodyAsJsonObject().getString("error"));
  }

  @Test
  void gzipWhenAskedByHeaderOrParameter() {
    seed();
    String plain = ok("").bodyAsString();
    for (String[] ask : new String[][] {{"", "Accept-Encoding", "gzip"}, {"?gzip=true"}}) {
      HttpResponse<Buffer> r = ok(ask[0], Arrays.copyOfRange(ask, 1, ask.length));
      assertEquals("gzip", r.getHeader("Content-Encoding"), Arrays.toString(ask));
      String body = new String(gunzip(r.body().getBytes()), StandardCharsets.UTF_8);
      assertEquals(plain, body, Arrays.toString(ask));
      assertEquals(hex(sha256(body.getBytes(StandardCharsets.UTF_8))), r.trailers().get("X-Dunblock-Export-Sha256"),
          "the digest covers the uncompressed body " + Arrays.toString(ask));
    }
  }

  @Test
  void signatureVerifiesWithThePublishedKey(Vertx vertx) throws Exception {
    seed();
    HttpResponse<Buffer> r = ok("");
    String version = version(r);
    byte[] body = r.body().getBytes();
    String sha = hex(sha256(body));

    JsonObject published = api.get("/.well-known/dunblock-export-key").bodyAsJsonObject();
    assertEquals("Ed25519", published.getString("algorithm"));
    byte[] spki = Base64.getDecoder().decode(published.getString("publicKey"));
    PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
    assertEquals(published.getString("raw"), Base64.getEncoder().encodeToString(
        Arrays.copyOfRange(spki, spki.length - 32, spki.length)));

    JsonObject companion = Api.await(api.request(HttpMethod.GET, "/v1/export/" + version + "/signature")
        .putHeader("Authorization", "Bearer " + operatorKey).send()).bodyAsJsonObject();
    assertEquals(version, companion.getString("version"));
    assertEquals(sha, companion.getString("sha256"));
    assertEquals(published.getString("keyId"), companion.getString("keyId"));
    assertEquals(5, companion.getLong("rows"));
    assertEquals(companion.getString("signature"), r.trailers().get("X-Dunblock-Export-Signature"));
    assertEquals(sha, r.trailers().get("X-Dunblock-Export-Sha256"));

    String message = "dunblock-export-v1\n" + version + "\nminVerdict=WARN;categories=\n-\n" + sha + "\n";
    assertEquals(message, companion.getString("signedMessage"));
    byte[] signature = Base64.getDecoder().decode(companion.getString("signature"));
    assertTrue(verify(key, message, signature), "signature over the documented message");
    String tampered = "dunblock-export-v1\n" + version + "\nminVerdict=WARN;categories=\n-\n"
        + hex(sha256((new String(body, StandardCharsets.UTF_8) + "upsert,+8613800138999,BLOCK,,,0,0,0,,\n")
        .getBytes(StandardCharsets.UTF_8))) + "\n";
    assertFalse(verify(key, tampered, signature), "a row added to the body breaks the signature");

    // Every instance signs with the same key (generated once, kept in Redis).
    DunblockServer other = TestServers.start(TestServers.config(redis), clock);
    Api otherApi = new Api(vertx, other.port());
    try {
      assertEquals(published, otherApi.get("/.well-known/dunblock-export-key").bodyAsJsonObject());
    } finally {
      otherApi.close();
      other.close();
    }
    HttpResponse<Buffer> unknown = Api.await(api.request(HttpMethod.GET, "/v1/export/v1-00000000/signature")
        .putHeader("Authorization", "Bearer " + operatorKey).send());
    assertEquals(404, unknown.statusCode());
    assertEquals("export_not_found", unknown.bodyAsJsonObject().getString("error"));
  }

  @Test
  void incrementalExportAppliedToThePreviousFullOneGivesTheNewFullOne() {
    seed();
    HttpResponse<Buffer> first = ok("");
    String v1 = version(first);
    Map<String, String> full1 = csv(first.bodyAsString());

    // 25 days on: one reporter's evidence fades below WARN (0.22), four reporters' below BLOCK (0.53 < 0.55); two
    // reporters' stays WARN (0.36: its score fell, but the row does not carry the score, so it does not change).
    clock.advance(Duration.ofDays(25));
    override(BLOCKED, "ALLOW");
    report(NEWCOMER, "FRAUD", 1);

    HttpResponse<Buffer> delta = ok("?since=" + v1);
    String v2 = version(delta);
    assertEquals(v1, delta.getHeader("X-Dunblock-Export-Since"));
    Map<String, String> changes = csv(delta.bodyAsString());
    Map<String, String> ops = new TreeMap<>();
    changes.forEach((number, line) -> ops.put(number, fields(line)[0] + " " + fields(line)[2]));
    assertEquals(Map.of(BLOCKED, "delete ", WARNED, "delete ", FADING, "upsert WARN", NEWCOMER, "upsert WARN"), ops);
    assertEquals("delete," + BLOCKED + ",,,,,,,,", changes.get(BLOCKED));

    Map<String, String> full2 = csv(ok("").bodyAsString());
    Map<String, String> applied = new TreeMap<>(full1);
    changes.forEach((number, line) -> {
      if (line.startsWith("delete,")) {
        assertNotNull(applied.remove(number), "only listed numbers are removed: " + number);
      } else {
        applied.put(number, line);
      }
    });
    assertEquals(full2, applied);

    // Nothing changed since: the next incremental is empty, and it chains.
    assertEquals(Map.of(), csv(ok("?since=" + v2).bodyAsString()));
    // The same works in JSON lines (the format does not matter, the filters do).
    HttpResponse<Buffer> emptyJsonl = ok("?format=jsonl&since=" + v2);
    assertEquals(0, emptyJsonl.body() == null ? 0 : emptyJsonl.body().length());
  }

  @Test
  void unknownVersionsAreGoneAndOtherFiltersAreRefused() {
    seed();
    HttpResponse<Buffer> gone = export("?since=v1700000000000-deadbeef");
    assertEquals(410, gone.statusCode());
    assertEquals("export_version_gone", gone.bodyAsJsonObject().getString("error"));

    String v1 = version(ok("?minVerdict=BLOCK"));
    HttpResponse<Buffer> mismatch = export("?since=" + v1);
    assertEquals(400, mismatch.statusCode());
    assertEquals("export_filters_mismatch", mismatch.bodyAsJsonObject().getString("error"));
    assertEquals(200, export("?minVerdict=BLOCK&since=" + v1).statusCode());
  }

  // ------------------------------------------------------------------ helpers

  static boolean verify(PublicKey key, String message, byte[] signature) throws Exception {
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(key);
    verifier.update(message.getBytes(StandardCharsets.UTF_8));
    return verifier.verify(signature);
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  static byte[] gunzip(byte[] bytes) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void prefixOverride(String prefix, String verdict) {
    HttpResponse<Buffer> r = Api.await(api.request(HttpMethod.PUT, "/v1/admin/overrides/prefixes/" + prefix)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("verdict", verdict).put("reason", "test").toBuffer()));
    assertEquals(200, r.statusCode(), r.bodyAsString());
  }

  @Test
  void anExportAnswersAsALookupDoesUnderPrefixOverridesAndListsNoIndexEntries() {
    // Crowd-blocked, then cleared by an ALLOW prefix override (a carrier's range the operator vouches for).
    String cleared = "+8613900139001";
    report(cleared, "DEBT_COLLECTION", 6);
    prefixOverride("+86139001", "ALLOW");
    assertEquals("ALLOW", api.lookup(cleared).getString("verdict"));
    // Reported once (WARN alone), under a BLOCK prefix override: BLOCK.
    String underBlock = "+8613900239001";
    report(underBlock, "THREAT", 1);
    prefixOverride("+86139002", "BLOCK");
    assertEquals("BLOCK", api.lookup(underBlock).getString("verdict"));
    // Four blocked lines of one block of 100 make a range: its R: entry is in the index too.
    for (int line = 0; line < 4; line++) {
      report("+861370013700" + line, "DEBT_COLLECTION", 5);
    }
    assertTrue(redis.commands().zscore(KeySchema.index(KeySchema.shardOf("R:+86137001370")), "R:+86137001370")
        != null, "sanity: the range is indexed");

    for (String query : new String[] {"", "?format=jsonl", "?minVerdict=BLOCK"}) {
      String body = ok(query).bodyAsString();
      assertFalse(body.contains(cleared), query + ": an ALLOW prefix override is not exported as BLOCK\n" + body);
      assertFalse(body.contains("P:") || body.contains("R:") || body.contains("V:"), query + ": index entries\n" + body);
      assertTrue(body.contains(underBlock), query + "\n" + body);
    }
    for (String line : ok("?format=jsonl").bodyAsString().split("\n")) {
      if (line.contains(underBlock)) {
        assertEquals("BLOCK", new JsonObject(line).getString("verdict"), line);
      }
    }
  }
}
