package org.dunblock.server.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lists operators actually receive, in the shapes their publishers chose (fixtures in src/test/resources/imports):
 * the US FTC's Do-Not-Call complaint export, a Swiss consumer magazine's call-centre list, a one-column list of
 * German numbers with a quoted header. Over real HTTP into a real Redis.
 */
class ListShapesIT {
  static final String ADMIN_KEY = "dbk_list-shapes-admin-key-0123456789";
  static final String FTC_MAP = "{\"Reducing your debt (credit cards, mortgage, student loans)\":\"DEBT_COLLECTION\","
      + "\"debt collection\":\"DEBT_COLLECTION\",\"Imposters\":\"FRAUD\"}";
  static final String FTC = "numberColumn=Company_Phone_Number&categoryColumn=Subject&occurredColumn=Violation_Date"
      + "&region=US&category=TELEMARKETING&categoryMap=" + enc(FTC_MAP);
  static final String SWISS = "region=CH&comment=%23&noteColumn=2&category=TELEMARKETING";

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.adminKey(ADMIN_KEY));
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static byte[] fixture(String name) {
    try (InputStream in = ListShapesIT.class.getResourceAsStream("/imports/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] gzip(byte[] plain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  HttpResponse<String> post(String query, byte[] body, String encoding) {
    return ImportUploads.post(http, app.baseUrl(), ADMIN_KEY, query, HttpRequest.BodyPublishers.ofByteArray(body),
        encoding);
  }

  JsonObject importOk(String query, byte[] body) {
    HttpResponse<String> response = post(query, body, null);
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  static List<Integer> errorLines(JsonObject summary) {
    return summary.getJsonArray("errors").stream().map(e -> ((JsonObject) e).getInteger("line")).toList();
  }

  JsonObject lookup(String number) {
    return app.api().lookup(number);
  }

  @Test
  void theFtcComplaintExportImportsWithItsOwnColumnsAndSubjects() {
    JsonObject summary = importOk("source=ftc-dnc&weight=1&" + FTC, fixture("ftc-dnc-complaints.csv"));
    assertEquals(9, summary.getInteger("lines"), summary.encode());
    assertEquals(5, summary.getInteger("imported"), summary.encode());
    assertEquals(1, summary.getInteger("updated"), "the same number complained about twice");
    assertEquals(2, summary.getInteger("invalid"));
    assertEquals(List.of(7, 8), errorLines(summary));
    assertEquals(",", summary.getString("delimiter"));
    assertTrue(summary.getBoolean("header"));
    // Subjects mapped case-insensitively; unmapped ones take the list's default category.
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1), lookup("+12015550123").getJsonObject("categories"));
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1), lookup("+12125550144").getJsonObject("categories"));
    assertEquals(new JsonObject().put("FRAUD", 1), lookup("+14155550199").getJsonObject("categories"));
    assertEquals(new JsonObject().put("TELEMARKETING", 1), lookup("+13105550186").getJsonObject("categories"));
    assertEquals(new JsonObject().put("TELEMARKETING", 1), lookup("+16175550101").getJsonObject("categories"));
    // The complaints are from 2024: a list is a statement about now, so none of its rows is "too old".
    assertEquals(1, lookup("+16175550101").getLong("reports"));
  }

  @Test
  void theSwissSemicolonListWithCommentsAndNoHeaderImports() {
    JsonObject summary = importOk("source=ktipp&weight=1&" + SWISS, fixture("ktipp-callcenter.txt"));
    assertEquals(10, summary.getInteger("lines"), summary.encode());
    assertEquals(3, summary.getInteger("imported"));
    assertEquals(1, summary.getInteger("updated"), "the number listed twice");
    assertEquals(2, summary.getInteger("invalid"));
    assertEquals(List.of(8, 9), errorLines(summary));
    assertEquals(";", summary.getString("delimiter"), "detected: the comma is inside the description");
    assertFalse(summary.getBoolean("header"));
    assertEquals(new JsonObject().put("TELEMARKETING", 1), lookup("+41445551234").getJsonObject("categories"));
    assertEquals(1, lookup("+41435556677").getLong("reports"));
  }

  @Test
  void aOneColumnListWithAQuotedHeaderImports() {
    JsonObject summary = importOk("source=de-liste&weight=1&region=DE", fixture("telefonliste.csv"));
    assertEquals(6, summary.getInteger("lines"), summary.encode());
    assertEquals(4, summary.getInteger("imported"));
    assertEquals(1, summary.getInteger("invalid"));
    assertEquals(List.of(6), errorLines(summary));
    assertTrue(summary.getBoolean("header"), "\"PHONE\" names the column");
    for (String number : List.of("+493012345678", "+491711234567", "+49891234567", "+49309876543")) {
      assertEquals(1, lookup(number).getLong("reports"), number);
    }
  }

  @Test
  void aDryRunShowsTheRowsAsTheyWouldBeStoredAndStoresNothing() {
    JsonObject summary = importOk("source=ftc-dnc&weight=1&dryRun=true&" + FTC, fixture("ftc-dnc-complaints.csv"));
    assertTrue(summary.getBoolean("dryRun"));
    assertEquals(9, summary.getInteger("lines"));
    assertEquals(6, summary.getInteger("valid"), summary.encode());
    assertEquals(0, summary.getInteger("imported"));
    assertEquals(2, summary.getInteger("invalid"));
    JsonArray preview = summary.getJsonArray("preview");
    assertEquals(6, preview.size());
    JsonObject first = preview.getJsonObject(0);
    assertEquals(2, first.getInteger("line"));
    assertEquals("+12015550123", first.getString("number"));
    assertEquals("DEBT_COLLECTION", first.getString("category"));
    assertEquals("2024-05-01T17:03:00Z", first.getString("listedAt"));
    assertEquals("FRAUD", preview.getJsonObject(4).getString("category"));
    assertEquals(0, lookup("+12015550123").getLong("reports"), "nothing stored");
    JsonArray audit = app.api().request(io.vertx.core.http.HttpMethod.GET, "/v1/admin/audit")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send().await().bodyAsJsonObject().getJsonArray("entries");
    assertTrue(audit.stream().noneMatch(e -> "import".equals(((JsonObject) e).getString("action"))), audit.encode());
  }

  @Test
  void aGzipUploadImportsLikeThePlainList() {
    HttpResponse<String> response = post("source=ktipp&weight=1&" + SWISS, gzip(fixture("ktipp-callcenter.txt")),
        "gzip");
    assertEquals(200, response.statusCode(), response.body());
    JsonObject summary = new JsonObject(response.body());
    assertEquals(10, summary.getInteger("lines"));
    assertEquals(3, summary.getInteger("imported"));
    assertEquals(2, summary.getInteger("invalid"));
    assertEquals(1, lookup("+41445551235").getLong("reports"));

    byte[] broken = gzip(fixture("ktipp-callcenter.txt"));
    broken[broken.length - 3] ^= 0x55;
    HttpResponse<String> corrupt = post("source=ktipp-2&weight=1&" + SWISS, broken, "gzip");
    assertEquals(400, corrupt.statusCode(), corrupt.body());
    assertEquals("invalid_gzip", new JsonObject(corrupt.body()).getString("error"));
    HttpResponse<String> notGzip = post("source=ktipp-3&weight=1&" + SWISS, fixture("ktipp-callcenter.txt"), "gzip");
    assertEquals(400, notGzip.statusCode(), notGzip.body());
    assertEquals(415, post("source=ktipp-4&weight=1", fixture("telefonliste.csv"), "br").statusCode());
  }

  @Test
  void aColumnTheHeaderLacksIsRefusedBeforeAnythingIsStored() {
    HttpResponse<String> response = post("source=ftc-dnc&weight=1&region=US&numberColumn=Phone_Number",
        fixture("ftc-dnc-complaints.csv"), null);
    assertEquals(400, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body());
    assertEquals("unknown_column", error.getString("error"));
    assertTrue(error.getString("message").contains("Company_Phone_Number"), "names the header's columns");
    assertEquals(0, lookup("+12015550123").getLong("reports"));
    for (String bad : List.of("delimiter=x", "header=maybe", "categoryMap=%7Bnot%20json", "categoryMap="
        + enc("{\"a\":\"SPAM\"}"), "category=SPAM", "numberColumn=0", "header=false&numberColumn=Phone",
        "comment=", "dryRun=perhaps", "format=jsonl&numberColumn=2")) {
      HttpResponse<String> refused = post("source=x&weight=1&" + bad, "13800138000\n".getBytes(StandardCharsets.UTF_8),
          null);
      assertEquals(400, refused.statusCode(), bad + " " + refused.body());
    }
    assertEquals(0, lookup("13800138000").getLong("reports"));
  }

  @Test
  void jsonLinesMapTheirOwnFieldNames() {
    String jsonl = "{\"msisdn\": \"13800138000\", \"reason\": \"collection\", \"seen\": \"2026-11-20\", \"extra\": 1}\n"
        + "{\"msisdn\": \"13900139000\", \"reason\": \"unknown value\"}\n"
        + "{\"msisdn\": \"13700137000\", \"seen\": \"yesterday\"}\n";
    JsonObject summary = importOk("source=partner&weight=1&format=jsonl&numberColumn=msisdn&categoryColumn=reason"
        + "&occurredColumn=seen&category=SILENT&categoryMap=" + enc("{\"Collection\":\"DEBT_COLLECTION\"}"),
        jsonl.getBytes(StandardCharsets.UTF_8));
    assertEquals(2, summary.getInteger("imported"), summary.encode());
    assertEquals(List.of(3), errorLines(summary));
    assertEquals("invalid_date", summary.getJsonArray("errors").getJsonObject(0).getString("error"));
    assertEquals(new JsonObject().put("DEBT_COLLECTION", 1), lookup("13800138000").getJsonObject("categories"));
    assertEquals(new JsonObject().put("SILENT", 1), lookup("13900139000").getJsonObject("categories"));
  }

  @Test
  void theCliTakesTheSameParametersAsFlagsAndSendsGzipFilesCompressed(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("ktipp.txt.gz");
    Files.write(file, gzip(fixture("ktipp-callcenter.txt")));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int dry = ImportCli.run(List.of("--url", app.baseUrl(), "--key", ADMIN_KEY, "--source", "ktipp", "--weight", "1",
            "--region", "CH", "--comment", "#", "--noteColumn", "2", "--category", "TELEMARKETING", "--dryRun",
            file.toString()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    assertEquals(0, dry, err.toString(StandardCharsets.UTF_8));
    JsonObject dryRun = new JsonObject(out.toString(StandardCharsets.UTF_8));
    assertEquals(4, dryRun.getInteger("valid"), dryRun.encode());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("nothing stored"), err.toString(StandardCharsets.UTF_8));
    assertEquals(0, lookup("+41445551234").getLong("reports"));

    out.reset();
    int real = ImportCli.run(List.of("--url", app.baseUrl(), "--key", ADMIN_KEY, "--source", "ktipp", "--weight", "1",
            "--region", "CH", "--comment", "#", "--noteColumn", "2", "--category", "TELEMARKETING", file.toString()),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    assertEquals(0, real, err.toString(StandardCharsets.UTF_8));
    assertEquals(3, new JsonObject(out.toString(StandardCharsets.UTF_8)).getInteger("imported"));
    assertEquals(1, lookup("+41445551234").getLong("reports"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("100%"));
  }
}
