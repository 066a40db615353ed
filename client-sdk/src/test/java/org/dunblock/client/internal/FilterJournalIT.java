package org.dunblock.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import org.dunblock.client.DunblockClientOptions;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's bound against the real server: past it, the filter file is rewritten once and the journal restarts. */
class FilterJournalIT {
  TestRedis redis;
  Vertx vertx;
  DunblockServer server;
  Api api;
  @TempDir
  Path temp;

  @BeforeEach
  void start() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    server = TestServers.start(TestServers.config(redis).filterRebuildInterval(Duration.ofMinutes(30)));
    api = new Api(vertx, server.port());
    Conditions.waitReady(api);
  }

  @AfterEach
  void stop() {
    api.close();
    server.close();
    vertx.close();
    redis.close();
  }

  FilterSync filter(long journalMaxBytes) {
    Http http = new Http(DunblockClientOptions.builder().baseUrl("http://127.0.0.1:" + server.port() + "/")
        .backgroundSync(false).cacheDir(temp.toFile()).build());
    return new FilterSync(http, temp.toFile(), Duration.ofDays(7), new Backoff(Duration.ofMillis(10),
        Duration.ofMillis(10)), journalMaxBytes);
  }

  /** About two journal lines: a line is the version (1 to 7 bytes per shard in base64url) and one number. */
  static final long BOUND = 150;

  @Test
  void journalPastItsBoundIsFoldedIntoOneRewriteOfTheFilterFile() {
    String token = api.newToken();
    FilterSync f = filter(BOUND);
    f.sync();
    assertEquals(1, f.snapshotDownloads());
    assertEquals(1, f.fileWrites());
    File journal = temp.resolve(FilterSync.JOURNAL_NAME).toFile();
    String[] numbers = {"+8613800138001", "+8613800138002", "+8613800138003", "+8613800138004", "+8613800138005"};
    for (int i = 0; i < numbers.length; i++) {
      assertEquals(202, api.report(token, "198.51." + i + ".1",
          new JsonObject().put("number", numbers[i]).put("category", "DEBT_COLLECTION")).statusCode());
      f.sync(); // one page, one journal line
    }
    assertTrue(f.fileWrites() >= 2, "rewritten past the bound: " + f.fileWrites());
    assertTrue(f.fileWrites() < 1 + numbers.length, "not on every change: " + f.fileWrites());
    assertTrue(journal.length() <= BOUND, "the journal restarted: " + journal.length());
    assertEquals(1, f.snapshotDownloads(), "a rewrite is local, not a download");

    FilterSync restarted = filter(BOUND);
    restarted.load();
    for (String n : numbers) {
      assertTrue(restarted.mightContain(n), n);
    }
    assertEquals(f.state().version, restarted.state().version);
    assertEquals(5, restarted.state().added);
  }
}
