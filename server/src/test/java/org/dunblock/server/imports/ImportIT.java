package org.dunblock.server.imports;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.dunblock.server.keys.ApiKeySecrets;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TwoServers;
import org.dunblock.server.testing.Scores;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Bulk import over real HTTP into a real Redis: per-line results, idempotence, weights, quorum, streaming. */
@ExtendWith(VertxExtension.class)
class ImportIT {
  static final String ADMIN_KEY = "dbk_import-admin-key-0123456789abcdef";
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).with(c -> c.adminKey(ADMIN_KEY));
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  HttpResponse<String> post(String query, HttpRequest.BodyPublisher body) {
    return post(ADMIN_KEY, query, body);
  }

  HttpResponse<String> post(String key, String query, HttpRequest.BodyPublisher body) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + both.a().port() + "/v1/admin/import?"
            + query))
        .header("Authorization", "Bearer " + key)
        .timeout(Duration.ofSeconds(120))
        .POST(body)
        .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  JsonObject importOk(String query, String body) {
    return importOk(ADMIN_KEY, query, body);
  }

  JsonObject importOk(String key, String query, String body) {
    HttpResponse<String> response = post(key, query, HttpRequest.BodyPublishers.ofString(body));
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  static JsonObject error(JsonObject summary, int index) {
    return summary.getJsonArray("errors").getJsonObject(index);
  }

  @Test
  void csvImportCountsLinesAndReportsBadOnesByLineNumber() {
    String csv = "number,category,note\r\n"
        + "13800138000\r\n"
        + "+86 139 0013 9000,THREAT,\"says he knows, where I live\"\r\n"
        + "\r\n"
        + "12,DEBT_COLLECTION\r\n"
        + "13700137000,robbery\r\n"
        + "13600136000,fraud\r\n"
        + "\n";
    JsonObject summary = importOk("source=carrier-x&weight=1.5&format=csv", csv);
    assertEquals(7, summary.getInteger("lines"));
    assertEquals(3, summary.getInteger("imported"));
    assertEquals(0, summary.getInteger("updated"));
    assertEquals(2, summary.getInteger("invalid"));
    assertEquals(5, error(summary, 0).getInteger("line"));
    assertEquals("invalid_number", error(summary, 0).getString("error"));
    assertEquals(6, error(summary, 1).getInteger("line"));
    assertEquals("invalid_category", error(summary, 1).getString("error"));
    assertTrue(error(summary, 1).getString("reason").contains("robbery"));
    assertEquals(0, summary.getInteger("errorsNotListed"));

    JsonObject first = both.apiA().lookup("13800138000");
    assertEquals(1, first.getLong("reports"));
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1), first.getJsonObject("categories"), "default category");
    assertEquals(new JsonObject().put("THREAT", 1), both.apiA().lookup("13900139000").getJsonObject("categories"));
    assertEquals(new JsonObject().put("FRAUD", 1), both.apiA().lookup("13600136000").getJsonObject("categories"));

    // Audited with who, source, weight and counts.
    JsonObject entry = Api.await(both.apiB().request(io.vertx.core.http.HttpMethod.GET, "/v1/admin/audit")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send()).bodyAsJsonObject()
        .getJsonArray("entries").getJsonObject(0);
    assertEquals("import", entry.getString("action"));
    assertEquals("source:carrier-x", entry.getString("target"));
    assertTrue(entry.getString("details").contains("weight 1.5"), entry.getString("details"));
    assertTrue(entry.getString("details").contains("imported 3, updated 0, invalid 2"), entry.getString("details"));
    assertTrue(entry.getString("actor").length() > 0);
  }

  @Test
  void jsonLinesImportReportsBadLines() {
    String jsonl = "{\"number\": \"13800138000\", \"category\": \"SILENT\", \"note\": \"one ring at 3 am\"}\n"
        + "{\"number\": 13900139000}\n"
        + "not json\n"
        + "{\"number\": \"13700137000\", \"colour\": \"red\"}\n"
        + "[1, 2]\n"
        + "{\"category\": \"THREAT\"}\n"
        + "{\"number\": \"13600136000\"}";
    JsonObject summary = importOk("source=regulator&weight=2&format=jsonl&region=CN", jsonl);
    assertEquals(7, summary.getInteger("lines"));
    assertEquals(3, summary.getInteger("imported"), summary.encode());
    assertEquals(4, summary.getInteger("invalid"));
    JsonArray errors = summary.getJsonArray("errors");
    assertEquals(List.of(3, 4, 5, 6), errors.stream().map(e -> ((JsonObject) e).getInteger("line")).toList());
    assertEquals(List.of("invalid_json", "unknown_field", "invalid_json", "missing_field"),
        errors.stream().map(e -> ((JsonObject) e).getString("error")).toList());
    assertEquals(new JsonObject().put("SILENT", 1), both.apiA().lookup("13800138000").getJsonObject("categories"));
    assertEquals(1, both.apiA().lookup("13600136000").getLong("reports"), "last line without a newline is read");
  }

  @Test
  void reimportingAListChangesNothingAndItsNumbersReachEveryInstance() {
    String csv = "13800138000\n13900139000\n13800138000\n";
    JsonObject first = importOk("source=carrier-x&weight=1", csv);
    assertEquals(2, first.getInteger("imported"));
    assertEquals(1, first.getInteger("updated"), "a number repeated in the list counts once");
    waitUntil("B's filter holds the imported number", Duration.ofSeconds(1),
        () -> both.b().filter().mightContain("+8613900139000"));
    JsonObject before = both.apiA().lookup("13800138000");

    JsonObject again = importOk("source=carrier-x&weight=1", csv);
    assertEquals(0, again.getInteger("imported"));
    assertEquals(3, again.getInteger("updated"));
    JsonObject after = both.apiA().lookup("13800138000");
    assertEquals(1, after.getLong("reports"));
    assertEquals(1, after.getLong("reporters"));
    assertEquals(before.getDouble("score"), after.getDouble("score"), 0.001);
  }

  /** Scores of imported votes decay from the start of today (docs/scoring.md); lookups follow within a second. */
  static final java.time.Clock UTC = java.time.Clock.systemUTC();

  @Test
  void weightMovesTheScoreButASourceAloneNeverBlocks() {
    importOk("source=carrier-x&weight=1", "13800138000\n");
    JsonObject light = both.apiA().lookup("13800138000");
    assertEquals(Scores.today(1, UTC), light.getDouble("score"), 0.0011);

    importOk("source=carrier-x&weight=3", "13800138000\n");
    JsonObject heavy = both.apiA().lookup("13800138000");
    assertEquals(Scores.today(3, UTC), heavy.getDouble("score"), 0.0011, "3 / (3 + prior 2)");
    assertEquals("WARN", heavy.getString("verdict"));
    assertEquals(1, heavy.getLong("reporters"));

    // The vote remembers its weight: back to 1 takes out exactly what 3 put in.
    importOk("source=carrier-x&weight=1", "13800138000\n");
    assertEquals(Scores.today(1, UTC), both.apiA().lookup("13800138000").getDouble("score"), 0.0011);

    // Two heavy sources from one operator key are one network, and a network's voice is its strongest vote: the
    // score is what one source of weight 3 gives, and there is no BLOCK.
    importOk("source=carrier-x&weight=3", "13900139000\n");
    importOk("source=carrier-y&weight=3", "13900139000\n");
    JsonObject two = both.apiA().lookup("13900139000");
    assertEquals(2, two.getLong("reporters"));
    assertEquals(1, two.getLong("networks"));
    assertEquals(Scores.today(3, UTC), two.getDouble("score"), 0.0011);
    assertEquals("WARN", two.getString("verdict"));
    assertTrue(two.getJsonArray("reasons").contains("QUORUM_NOT_MET"), two.encode());
  }

  @Test
  void oneKeyNamingManySourcesIsOneNetworkAndCannotBlockAlone() {
    for (String source : List.of("carrier-x", "carrier-y", "carrier-z", "regulator")) {
      importOk("source=" + source + "&weight=3", "13800138000\n");
    }
    JsonObject r = both.apiA().lookup("13800138000");
    assertEquals(4, r.getLong("reporters"), "each source is still its own vote");
    assertEquals(1, r.getLong("networks"), "but all of one operator key's imports come from one network");
    assertEquals("WARN", r.getString("verdict"), r.encode());
    assertTrue(r.getJsonArray("reasons").contains("QUORUM_NOT_MET"), r.encode());
  }

  @Test
  void anImportedSourceCountsTowardsTheQuorumWithTheCrowd() {
    importOk("source=carrier-x&weight=2", "13800138000\n");
    for (int i = 1; i <= 2; i++) {
      assertEquals(202, both.apiA().report(both.apiA().establishedToken(), "203.0." + i + ".1",
          new JsonObject().put("number", "13800138000").put("category", "DEBT_COLLECTION")).statusCode());
    }
    waitUntil("B's filter holds the number", Duration.ofSeconds(1),
        () -> both.b().filter().mightContain("+8613800138000"));
    JsonObject r = both.apiB().lookup("13800138000");
    assertEquals(3, r.getLong("reporters"));
    assertEquals(3, r.getLong("networks"));
    assertEquals("BLOCK", r.getString("verdict"), r.encode());
  }

  @Test
  void twoOperatorKeysNamingTheSameSourceAreTwoVotes() {
    KeyRegistry.Minted other = new KeyRegistry(redis.commands(), Clock.systemUTC())
        .create(Role.OPERATOR, "second list loader", "test");
    assertEquals(1, importOk("source=x&weight=1&category=DEBT_COLLECTION", "13800138000\n").getInteger("imported"));
    JsonObject second = importOk(other.secret(), "source=x&weight=1", "13800138000\n");
    assertEquals(1, second.getInteger("imported"), "key B's vote is its own, not an update of key A's: " + second);
    assertEquals(0, second.getInteger("updated"));

    JsonObject evidence = evidence("13800138000");
    assertEquals(2, evidence.getLong("victims"), evidence.encode());
    assertEquals(2, evidence.getLong("networks"), evidence.encode());
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 2), evidence.getJsonObject("categories"), evidence.encode());

    // Each key changes only its own vote, and a re-import by key A stays idempotent.
    importOk(other.secret(), "source=x&weight=1&category=FRAUD", "13800138000\n");
    JsonObject again = importOk("source=x&weight=1&category=DEBT_COLLECTION", "13800138000\n");
    assertEquals(0, again.getInteger("imported"), again.encode());
    assertEquals(1, again.getInteger("updated"), again.encode());
    JsonObject after = evidence("13800138000");
    assertEquals(2, after.getLong("victims"), after.encode());
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1).put("FRAUD", 1), after.getJsonObject("categories"),
        after.encode());

    // The key a vote was imported with is nobody's business: not in a lookup, the evidence or the export.
    String keyA = ApiKeySecrets.idOf(ApiKeySecrets.hash(ADMIN_KEY));
    JsonObject lookup = both.apiA().lookup("13800138000");
    assertEquals(2, lookup.getLong("reporters"), lookup.encode());
    String export = Api.await(both.apiA().request(io.vertx.core.http.HttpMethod.GET, "/v1/export?format=jsonl")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send()).bodyAsString();
    for (String shown : List.of(lookup.encode(), after.encode(), export)) {
      assertTrue(!shown.contains(keyA) && !shown.contains(other.key().id()), shown);
    }
  }

  JsonObject evidence(String number) {
    return Api.await(both.apiB().request(io.vertx.core.http.HttpMethod.GET, "/v1/evidence/numbers/" + number)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send()).bodyAsJsonObject();
  }

  @Test
  void badParametersAreRefusedBeforeReadingTheBody() {
    for (String query : List.of("weight=1", "source=x&weight=0", "source=x&weight=3.5", "source=x&weight=abc",
        "source=Bad%20Name&weight=1", "source=x&weight=1&format=xml", "source=x&weight=1&region=XX")) {
      HttpResponse<String> response = post(query, HttpRequest.BodyPublishers.ofString("13800138000\n"));
      assertEquals(400, response.statusCode(), query + " " + response.body());
    }
    assertEquals(0, both.apiA().lookup("13800138000").getLong("reports"));
  }

  @Test
  void aLargeBodyIsStreamedInBatches() {
    int lines = 100_000;
    HttpResponse<String> response = post("source=big-list&weight=1",
        HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedCsv(lines)));
    assertEquals(200, response.statusCode(), response.body());
    JsonObject summary = new JsonObject(response.body());
    assertEquals(lines, summary.getInteger("lines"));
    assertEquals(lines - lines / 1000, summary.getInteger("imported"));
    assertEquals(lines / 1000, summary.getInteger("invalid"));
    assertEquals(1000, summary.getJsonArray("errors").getJsonObject(0).getInteger("line"));
    assertEquals(lines / 1000, summary.getInteger("errorsNotListed") + summary.getJsonArray("errors").size());
    assertEquals(1, both.apiA().lookup("+8613800099999").getLong("reports"));
  }

  @Test
  void theCliStreamsAFileAndPrintsTheSummary(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("carrier.csv");
    Files.writeString(file, "number,category\n13800138000,THREAT\nnot a number\n13900139000\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ImportCli.run(List.of("--url", "http://127.0.0.1:" + both.a().port(), "--key", ADMIN_KEY,
            "--source", "carrier-x", "--weight", "1.5", file.toString()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    String stderr = err.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, stderr);
    JsonObject summary = new JsonObject(out.toString(StandardCharsets.UTF_8));
    assertEquals(2, summary.getInteger("imported"));
    assertEquals(1, summary.getInteger("invalid"));
    assertTrue(stderr.contains("100%"), stderr);
    assertTrue(stderr.contains("line 3:"), stderr);
    assertEquals(new JsonObject().put("THREAT", 1), both.apiA().lookup("13800138000").getJsonObject("categories"));

    int refused = ImportCli.run(List.of("--url", "http://127.0.0.1:" + both.a().port(),
        "--key", "dbk_wrong-key-000000000",
        "--source", "carrier-x", "--weight", "1", file.toString()),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    assertEquals(1, refused);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("invalid_api_key"));
    assertEquals(2, ImportCli.run(List.of("--url", "x"), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(new ByteArrayOutputStream()), false));
  }

  /** CSV lines "1380xxxxxxx" made on the fly; every 1000th line is not a number. */
  static final class GeneratedCsv extends InputStream {
    private final int lines;
    private int next = 1;
    private byte[] current = new byte[0];
    private int pos;

    GeneratedCsv(int lines) {
      this.lines = lines;
    }

    @Override
    public int read() {
      if (pos == current.length) {
        if (next > lines) {
          return -1;
        }
        String line = next % 1000 == 0 ? "bogus-" + next + "\n"
            : String.format("1380%07d,DEBT_COLLECTION\n", next);
        current = line.getBytes(StandardCharsets.US_ASCII);
        pos = 0;
        next++;
      }
      return current[pos++];
    }

    @Override
    public int read(byte[] b, int off, int len) {
      int n = 0;
      while (n < len) {
        int c = read();
        if (c < 0) {
          return n == 0 ? -1 : n;
        }
        b[off + n++] = (byte) c;
      }
      return n;
    }
  }
}
