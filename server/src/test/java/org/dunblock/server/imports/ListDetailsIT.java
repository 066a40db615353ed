package org.dunblock.server.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.function.Predicate;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The details of reading a list in its publisher's shape, each over real HTTP into a real Redis: delimiter and header
 * detection from the first lines, every delimiter, quoting, line ends, column errors, what a dry run leaves behind,
 * re-imports, the audit entry, and what a hostile or broken upload gets.
 */
class ListDetailsIT {
  static final String ADMIN_KEY = "dbk_list-details-admin-key-0123456789";
  /** Rate-limit counters and the key registry's last-used marks are not imported data. */
  static final Predicate<String> NOT_DATA = key -> key.startsWith("dunblock:rl:") || key.contains("key");

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.adminKey(ADMIN_KEY));
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  HttpResponse<String> post(String query, byte[] body, String encoding) {
    return ImportUploads.post(http, app.baseUrl(), ADMIN_KEY, query, HttpRequest.BodyPublishers.ofByteArray(body),
        encoding);
  }

  HttpResponse<String> post(String query, String body) {
    return post(query, body.getBytes(StandardCharsets.UTF_8), null);
  }

  JsonObject importOk(String query, String body) {
    HttpResponse<String> response = post(query, body);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  JsonObject refused(int status, String code, String query, byte[] body, String encoding) {
    HttpResponse<String> response = post(query, body, encoding);
    assertEquals(status, response.statusCode(), query + " " + response.body());
    JsonObject error = new JsonObject(response.body());
    assertEquals(code, error.getString("error"), response.body());
    return error;
  }

  JsonObject lookup(String number) {
    return app.api().lookup(number);
  }

  JsonArray auditEntries() {
    return app.api().request(HttpMethod.GET, "/v1/admin/audit").putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .send().await().bodyAsJsonObject().getJsonArray("entries");
  }

  static List<Integer> errorLines(JsonObject summary) {
    return summary.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getInteger("line")).toList();
  }

  static JsonObject preview(JsonObject summary, int index) {
    return summary.getJsonArray("preview").getJsonObject(index);
  }

  @Test
  void theDelimiterIsDetectedFromTheFirstLinesNotOnlyTheFirst() {
    // A one-column title line first: the semicolon shows only in the lines after it.
    String list = "Nummer\n0445551234;Callcenter XY, Krankenkassen-Umfrage\n+41 44 555 12 35;Telefonverkauf Wein\n";
    JsonObject summary = importOk("source=title-first&weight=1&region=CH&noteColumn=2&dryRun=true", list);
    assertEquals(";", summary.getString("delimiter"), summary.encode());
    assertTrue(summary.getBoolean("header"));
    assertEquals(2, summary.getInteger("valid"), summary.encode());
    assertEquals("Callcenter XY, Krankenkassen-Umfrage", preview(summary, 0).getString("note"));

    // A '#' comment line without a comment parameter: its comma does not decide the delimiter.
    String commented = "# Liste, Stand November 2026\n0445551234;Callcenter XY, Umfrage\n0435556677;Gewinnspiel\n"
        + "0445551235;Wein, Verkauf\n";
    JsonObject second = importOk("source=comment-first&weight=1&region=CH", commented);
    assertEquals(";", second.getString("delimiter"), second.encode());
    assertEquals(3, second.getInteger("imported"), second.encode());
    assertEquals(1, lookup("+41435556677").getLong("reports"));
  }

  @Test
  void aFirstLineThatIsANumberIsNoHeaderAndPipesAndTabsAreDelimiters() {
    JsonObject pipes = importOk("source=pipes&weight=1&region=US&categoryColumn=2&noteColumn=3",
        "2015550123|TELEMARKETING|Acme Cruises\n2125550144|fraud|\"Pretends | to be the bank\"\n");
    assertEquals("|", pipes.getString("delimiter"));
    assertFalse(pipes.getBoolean("header"), "the first line is a number, so data");
    assertEquals(2, pipes.getInteger("imported"), pipes.encode());
    assertEquals(new JsonObject().put("TELEMARKETING", 1), lookup("+12015550123").getJsonObject("categories"));
    assertEquals(new JsonObject().put("FRAUD", 1), lookup("+12125550144").getJsonObject("categories"));

    JsonObject tabs = importOk("source=tabs&weight=1&region=DE&categoryColumn=Art&dryRun=true",
        "Rufnummer\tArt\tHinweis\n030 12345678\tTHREAT\tdroht, sagt er\n0171 1234567\t\tnichts\n");
    assertEquals("tab", tabs.getString("delimiter"));
    assertTrue(tabs.getBoolean("header"));
    assertEquals("+493012345678", preview(tabs, 0).getString("number"));
    assertEquals("THREAT", preview(tabs, 0).getString("category"));
    assertEquals("DEBT_COLLECTION", preview(tabs, 1).getString("category"), "an empty cell takes the default");
  }

  @Test
  void quotedFieldsKeepTheirDelimitersAndDoubledQuotes() {
    String list = "13800138000;\"Inkasso; \"\"Meier\"\" GmbH\";THREAT\n"
        + "\"139 0013 9000\";\"sagt \"\"letzte Mahnung\"\"\";\"fraud\"\n";
    JsonObject dry = importOk("source=quoted&weight=1&noteColumn=2&categoryColumn=3&dryRun=true", list);
    assertEquals(";", dry.getString("delimiter"));
    assertEquals("Inkasso; \"Meier\" GmbH", preview(dry, 0).getString("note"));
    assertEquals("THREAT", preview(dry, 0).getString("category"));
    assertEquals("+8613900139000", preview(dry, 1).getString("number"));
    assertEquals("sagt \"letzte Mahnung\"", preview(dry, 1).getString("note"));
    assertEquals("FRAUD", preview(dry, 1).getString("category"));
    JsonObject real = importOk("source=quoted&weight=1&noteColumn=2&categoryColumn=3", list);
    assertEquals(2, real.getInteger("imported"));
    assertEquals(new JsonObject().put("FRAUD", 1), lookup("13900139000").getJsonObject("categories"));
  }

  @Test
  void crlfLineEndsAndAByteOrderMarkAreRead() {
    String list = "\uFEFF\"Number\";\"Note\"\r\n0445551234;Callcenter\r\n\r\n0435556677;Wein\r\n";
    JsonObject dry = importOk("source=windows&weight=1&region=CH&noteColumn=Note&dryRun=true", list);
    assertTrue(dry.getBoolean("header"), dry.encode());
    assertEquals(";", dry.getString("delimiter"));
    assertEquals(4, dry.getInteger("lines"));
    assertEquals("Callcenter", preview(dry, 0).getString("note"), "no carriage return left in the note");
    assertEquals("Wein", preview(dry, 1).getString("note"));
    JsonObject real = importOk("source=windows&weight=1&region=CH&noteColumn=Note", list);
    assertEquals(2, real.getInteger("imported"), real.encode());
    assertEquals(0, real.getInteger("invalid"));
  }

  @Test
  void aWrongCategoryMapOrColumnIsA400AndStoresNothing() {
    importOk("source=seed&weight=1", "13700137000\n");
    SortedMap<String, String> before = redis.snapshot(NOT_DATA);
    byte[] list = "number,kind\n13800138000,Inkasso\n".getBytes(StandardCharsets.UTF_8);
    for (String map : List.of("{not json", "[1,2]", "{\"Inkasso\":\"SPAM\"}", "{\"Inkasso\":7}", "\"FRAUD\"")) {
      refused(400, "invalid_category_map", "source=x&weight=1&categoryColumn=kind&categoryMap="
          + ListShapesIT.enc(map), list, null);
    }
    refused(400, "unknown_column", "source=x&weight=1&categoryColumn=Art", list, null);
    refused(400, "unknown_column", "source=x&weight=1&noteColumn=9", list, null);
    assertEquals(before, redis.snapshot(NOT_DATA), "nothing stored");
    assertTrue(auditEntries().stream().noneMatch(e -> "source:x".equals(((JsonObject) e).getString("target"))));
  }

  @Test
  void aRowWithoutTheChosenColumnIsARowErrorWithItsLineNumber() {
    String list = "Hinweis;13800138000;THREAT\nnur eine Spalte\n;13900139000\nx;13700137000;FRAUD\n";
    JsonObject summary = importOk("source=short-rows&weight=1&numberColumn=2&categoryColumn=3&header=false", list);
    assertEquals(3, summary.getInteger("imported"), summary.encode());
    assertEquals(List.of(2), errorLines(summary));
    assertEquals("missing_field", summary.getJsonArray("errors").getJsonObject(0).getString("error"));
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1), lookup("13900139000").getJsonObject("categories"),
        "a row too short for the category column takes the default");
  }

  @Test
  void aDryRunLeavesRedisAsItWasAndShowsTheRowsAsStored() {
    importOk("source=seed&weight=1", "13700137000\n");
    SortedMap<String, String> before = redis.snapshot(NOT_DATA);
    Map<String, Long> calls = redis.commandCalls();
    JsonObject dry = importOk("source=dry&weight=2&region=US&categoryColumn=Subject&category=TELEMARKETING"
        + "&categoryMap=" + ListShapesIT.enc("{\"debt COLLECTION\":\"DEBT_COLLECTION\"}") + "&dryRun=true",
        "phone,Subject\n(201) 555-0123,Debt Collection\n212-555-0144,Cruises\nbogus,x\n");
    assertEquals(2, dry.getInteger("valid"));
    assertEquals(1, dry.getInteger("invalid"));
    assertEquals(List.of(4), errorLines(dry));
    assertEquals(new JsonObject().put("line", 2).put("number", "+12015550123").put("category", "DEBT_COLLECTION")
        .putNull("note").putNull("listedAt"), preview(dry, 0));
    assertEquals("TELEMARKETING", preview(dry, 1).getString("category"));
    Map<String, Long> ran = redis.commandsSince(calls);
    assertFalse(ran.containsKey("evalsha") || ran.containsKey("eval") || ran.containsKey("xadd"), ran.toString());
    assertEquals(before, redis.snapshot(NOT_DATA), "a dry run stores nothing, its audit entry included");
    assertEquals(0, lookup("+12015550123").getLong("reports"));
  }

  @Test
  void reimportingAListInItsOwnShapeChangesNothing() {
    String query = "source=ftc-dnc&weight=1&" + ListShapesIT.FTC;
    byte[] ftc = ListShapesIT.fixture("ftc-dnc-complaints.csv");
    HttpResponse<String> first = post(query, ftc, null);
    assertEquals(200, first.statusCode(), first.body());
    JsonObject before = lookup("+12015550123");
    SortedMap<String, String> stored = redis.snapshot(k -> NOT_DATA.test(k) || k.contains("audit")
        || k.contains("changes") || k.contains("stream") || k.contains(":log"));
    JsonObject again = new JsonObject(post(query, ftc, null).body());
    assertEquals(0, again.getInteger("imported"), again.encode());
    assertEquals(6, again.getInteger("updated"));
    assertEquals(2, again.getInteger("invalid"));
    JsonObject after = lookup("+12015550123");
    assertEquals(1, after.getLong("reports"));
    assertEquals(before.getDouble("score"), after.getDouble("score"), 1e-9);
    assertEquals(before.getJsonObject("categories"), after.getJsonObject("categories"));
    assertEquals(stored.keySet(), redis.snapshot(k -> NOT_DATA.test(k) || k.contains("audit")
        || k.contains("changes") || k.contains("stream") || k.contains(":log")).keySet(), "no new keys");
  }

  @Test
  void theAuditEntryRecordsTheParametersUsed() {
    HttpResponse<String> response = post("source=ftc-dnc&weight=1&" + ListShapesIT.FTC,
        ListShapesIT.fixture("ftc-dnc-complaints.csv"), null);
    assertEquals(200, response.statusCode(), response.body());
    JsonObject entry = auditEntries().getJsonObject(0);
    assertEquals("import", entry.getString("action"));
    String details = entry.getString("details");
    for (String part : List.of("region US", "numberColumn Company_Phone_Number", "categoryColumn Subject",
        "occurredColumn Violation_Date", "category TELEMARKETING", "delimiter , (detected)", "header true",
        "categoryMap {\"reducing your debt (credit cards, mortgage, student loans)\":\"DEBT_COLLECTION\"",
        "\"imposters\":\"FRAUD\"}", "imported 5, updated 1, invalid 2")) {
      assertTrue(details.contains(part), part + " in " + details);
    }
  }

  @Test
  void aCorruptGzipSaysWhatWasStoredBeforeIt() {
    // A short list is held whole for detection, so a broken trailer stores none of it.
    byte[] broken = ListShapesIT.gzip(ListShapesIT.fixture("ktipp-callcenter.txt"));
    broken[broken.length - 3] ^= 0x55;
    JsonObject error = refused(400, "invalid_gzip", "source=ktipp&weight=1&" + ListShapesIT.SWISS, broken, "gzip");
    assertTrue(error.getString("message").contains("Nothing was stored"), error.getString("message"));
    assertEquals(0, lookup("+41445551234").getLong("reports"));

    // A long one: what was sent before the broken trailer stays stored, and the answer says how much.
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < 600; i++) {
      list.append(String.format("1380%07d%n", i));
    }
    byte[] longBroken = ListShapesIT.gzip(list.toString().getBytes(StandardCharsets.UTF_8));
    longBroken[longBroken.length - 3] ^= 0x55;
    JsonObject stopped = refused(400, "invalid_gzip", "source=long&weight=1", longBroken, "gzip");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("Stored before it stopped: (\\d+) imported")
        .matcher(stopped.getString("message"));
    assertTrue(m.find(), stopped.getString("message"));
    int stored = Integer.parseInt(m.group(1));
    assertTrue(stored > 0 && stored <= 600, stopped.getString("message"));
    assertEquals(1, lookup("+8613800000000").getLong("reports"), "the first lines are stored, as the message says");
    String details = auditEntries().getJsonObject(0).getString("details");
    assertTrue(details.contains("stopped: ") && details.contains("imported " + stored), details);
  }

  @Test
  void aGzipListLongerThanOneInflatedChunkImportsWhole() {
    // 20,000 lines, about 260 KB inflated: several 64 KiB chunks, most of them ending inside a line.
    StringBuilder list = new StringBuilder();
    for (int i = 1; i <= 20_000; i++) {
      list.append(String.format("1380%07d,TELEMARKETING%n", i));
    }
    HttpResponse<String> response = post("source=long-gzip&weight=1",
        ListShapesIT.gzip(list.toString().getBytes(StandardCharsets.UTF_8)), "gzip");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject summary = new JsonObject(response.body());
    assertEquals(20_000, summary.getInteger("lines"), summary.encode());
    assertEquals(20_000, summary.getInteger("imported"), summary.encode());
    assertEquals(0, summary.getInteger("invalid"), summary.encode());
    assertEquals(1, lookup("+8613800020000").getLong("reports"));
  }

  @Test
  void aGzipBombIsA413AndStoresNothing() {
    // A few KiB that inflate to 8 MiB of (blank) lines: about 1000 times its size, ten times what the guard allows.
    byte[] bomb = ListShapesIT.gzip(("13800138000\n" + "\n".repeat(8 * 1024 * 1024)).getBytes(StandardCharsets.UTF_8));
    assertTrue(bomb.length < 16 * 1024, bomb.length + " bytes");
    HttpResponse<String> response = post("source=bomb&weight=1", bomb, "gzip");
    assertEquals(413, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonObject error = new JsonObject(response.body());
    assertEquals("gzip_ratio_too_high", error.getString("error"), response.body());
    assertTrue(error.getString("message").contains("Nothing was stored"), response.body());
    assertEquals(0, lookup("13800138000").getLong("reports"));
  }

  @Test
  void aGzipBombAfterRealLinesKeepsEveryLineBeforeItAndSaysSoExactly() {
    StringBuilder list = new StringBuilder();
    for (int i = 1; i <= 600; i++) {
      list.append(i % 100 == 0 ? "bogus\n" : String.format("1380%07d%n", i));
    }
    list.append("\n".repeat(8 * 1024 * 1024));
    byte[] bomb = ListShapesIT.gzip(list.toString().getBytes(StandardCharsets.UTF_8));
    JsonObject error = refused(413, "gzip_ratio_too_high", "source=bomb-after&weight=1", bomb, "gzip");
    assertTrue(error.getString("message").contains(
        "Stored before it stopped: 594 imported, 0 updated, 6 invalid (lines 1 to 600)"), error.encode());
    assertEquals(1, lookup("+8613800000001").getLong("reports"));
    assertEquals(1, lookup("+8613800000599").getLong("reports"), "the last line before the bomb is stored");
    String details = auditEntries().getJsonObject(0).getString("details");
    assertTrue(details.contains("lines 600, imported 594, updated 0, invalid 6") && details.contains("stopped: "),
        details);
  }

  @Test
  void hugeParametersAndHeadersAreBounded() {
    StringBuilder map = new StringBuilder("{");
    for (int i = 0; i <= ImportOptions.MAX_CATEGORY_MAP; i++) {
      map.append(i == 0 ? "" : ",").append("\"v").append(i).append("\":\"FRAUD\"");
    }
    byte[] list = "13800138000\n".getBytes(StandardCharsets.UTF_8);
    refused(400, "invalid_category_map", "source=x&weight=1&categoryMap=" + ListShapesIT.enc(map + "}"), list, null);
    refused(414, "uri_too_long", "source=x&weight=1&categoryMap=" + ListShapesIT.enc("{\"" + "v".repeat(9000)
        + "\":\"FRAUD\"}"), list, null);

    StringBuilder header = new StringBuilder("c0");
    for (int i = 1; i < 10_000; i++) {
      header.append(",c").append(i);
    }
    JsonObject wide = refused(400, "header_too_long", "source=x&weight=1&numberColumn=c5",
        (header + "\n13800138000\n").getBytes(StandardCharsets.UTF_8), null);
    assertTrue(wide.getString("message").contains(Integer.toString(ImportLines.MAX_LINE)), wide.encode());
    assertEquals(0, lookup("13800138000").getLong("reports"));
  }

  @Test
  void theCliRefusesAFlagItDoesNotKnow(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("list.csv");
    Files.writeString(file, "13800138000\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = ImportCli.run(List.of("--url", app.baseUrl(), "--key", ADMIN_KEY, "--source", "typo", "--weight", "1",
            "--delimter", ";", file.toString()),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--delimter"), err.toString(StandardCharsets.UTF_8));
    assertEquals(0, lookup("13800138000").getLong("reports"));
    assertNull(auditEntries().stream().filter(e -> "source:typo".equals(((JsonObject) e).getString("target")))
        .findFirst().orElse(null));
  }
}
