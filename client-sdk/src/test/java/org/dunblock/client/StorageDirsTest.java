package org.dunblock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Android empties the cache dir when storage runs low: nothing durable may live there. */
class StorageDirsTest {
  @TempDir
  Path temp;

  static String unreachableUrl() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://127.0.0.1:" + s.getLocalPort() + "/";
    }
  }

  static void empty(File dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir.toPath())) {
      all.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  @Test
  void queuedReportSurvivesTheSystemEmptyingTheCacheDir() throws IOException {
    File data = temp.resolve("files/dunblock").toFile();
    File cache = temp.resolve("cache/dunblock").toFile();
    DunblockClientOptions options = DunblockClientOptions.builder().baseUrl(unreachableUrl())
        .dataDir(data).cacheDir(cache).backgroundSync(false).build();
    try (DunblockClient c = DunblockClient.create(options)) {
      assertTrue(c.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build()).queued());
    }
    empty(cache);
    try (DunblockClient c = DunblockClient.create(options)) {
      assertEquals(1, c.pendingReports(), "the offline report is kept in the data dir");
    }
  }

  @Test
  void onlyACacheDirStillWorksAsTheOldLayout() throws IOException {
    File cache = temp.resolve("legacy").toFile();
    DunblockClientOptions options = DunblockClientOptions.builder().baseUrl(unreachableUrl())
        .cacheDir(cache).backgroundSync(false).build();
    assertEquals(cache, options.dataDir());
    try (DunblockClient c = DunblockClient.create(options)) {
      assertTrue(c.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build()).queued());
    }
    try (DunblockClient c = DunblockClient.create(options)) {
      assertEquals(1, c.pendingReports());
    }
  }
}
