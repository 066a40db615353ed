package org.dunblock.server.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bound on an import's lines (DUNBLOCK_IMPORT_MAX_LINES, 100 million by default), configured small: a list within
 * it imports whole; a longer one stops with 413 after the last line allowed, keeping every line up to it, and says
 * exactly what it stored.
 */
class ImportLineLimitIT {
  static final String ADMIN_KEY = "dbk_import-line-limit-admin-0123456789";
  static final int LIMIT = 1000;

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.adminKey(ADMIN_KEY).importMaxLines(LIMIT));
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  HttpResponse<String> post(String query, String body) {
    return ImportUploads.post(http, app.baseUrl(), ADMIN_KEY, query, HttpRequest.BodyPublishers.ofString(body), null);
  }


  /** {@code lines} lines, every 100th of them not a number. */
  static String list(int lines) {
    StringBuilder list = new StringBuilder();
    for (int i = 1; i <= lines; i++) {
      list.append(i % 100 == 0 ? "bogus-" + i + "\n" : String.format("1380%07d%n", i));
    }
    return list.toString();
  }

  @Test
  void aListOfExactlyTheLimitImportsWhole() {
    HttpResponse<String> response = post("source=at-limit&weight=1", list(LIMIT));
    assertEquals(200, response.statusCode(), response.body());
    JsonObject summary = new JsonObject(response.body());
    assertEquals(LIMIT, summary.getInteger("lines"));
    assertEquals(990, summary.getInteger("imported"));
    assertEquals(10, summary.getInteger("invalid"));
  }

  @Test
  void aLongerListStopsAfterTheLimitKeepingEveryLineUpToItAndSaysSoExactly() {
    HttpResponse<String> response = post("source=over-limit&weight=1", list(LIMIT + 500));
    assertEquals(413, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonObject error = new JsonObject(response.body());
    assertEquals("too_many_lines", error.getString("error"), response.body());
    String message = error.getString("message");
    assertTrue(message.contains("at most " + LIMIT + " lines") && message.contains("DUNBLOCK_IMPORT_MAX_LINES"),
        message);
    assertTrue(message.contains("Stored before it stopped: 990 imported, 0 updated, 10 invalid (lines 1 to 1000)"),
        message);
    // What the answer says was stored is stored, to the last line allowed; nothing after it is.
    assertEquals(1, app.api().lookup("+8613800000999").getLong("reports"), "line 999");
    assertEquals(1, app.api().lookup("+8613800000001").getLong("reports"), "line 1");
    assertEquals(0, app.api().lookup("+8613800001001").getLong("reports"), "line 1001");
    JsonObject entry = app.api().request(HttpMethod.GET, "/v1/admin/audit")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send().await().bodyAsJsonObject()
        .getJsonArray("entries").getJsonObject(0);
    assertEquals("import", entry.getString("action"));
    String details = entry.getString("details");
    assertTrue(details.contains("lines 1000, imported 990, updated 0, invalid 10")
        && details.contains("stopped: An import is at most 1000 lines"), details);

    // Importing the first part again is safe: the same votes, nothing new.
    JsonObject again = new JsonObject(post("source=over-limit&weight=1", list(LIMIT)).body());
    assertEquals(0, again.getInteger("imported"), again.encode());
    assertEquals(990, again.getInteger("updated"), again.encode());
  }
}
