package org.dunblock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline queue is bounded in reports and in bytes. Full, it drops its oldest report for the newest (the
 * user's latest intent matters most), and a new report on a number already queued replaces the queued one.
 */
class OutboxBoundsTest {
  @TempDir
  Path temp;
  final List<String> dropped = new CopyOnWriteArrayList<>();

  DunblockClient offline(DunblockClientOptions.Builder b) throws IOException {
    return DunblockClient.create(b.baseUrl(StorageDirsTest.unreachableUrl()).dataDir(temp.toFile())
        .backgroundSync(false).reportListener(new ReportListener() {
          @Override
          public void dropped(String idempotencyKey, String reason) {
            dropped.add(reason + " " + idempotencyKey);
          }
        }).build());
  }

  long queuedBytes() {
    File[] files = temp.resolve("outbox").toFile().listFiles((d, n) -> n.endsWith(".json"));
    long sum = 0;
    for (File f : files) {
      sum += f.length();
    }
    return sum;
  }

  @Test
  void aFullQueueDropsItsOldestReportForTheNewOne() throws IOException {
    try (DunblockClient c = offline(DunblockClientOptions.builder().maxQueuedReports(3))) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        ReportReceipt r = c.report(Report.builder("1380013800" + i, Category.DEBT_COLLECTION).build());
        assertTrue(r.queued());
        keys.add(r.idempotencyKey());
      }
      assertEquals(3, c.pendingReports());
      assertEquals(List.of("queue_full " + keys.get(0), "queue_full " + keys.get(1)), dropped);
    }
  }

  @Test
  void aNewReportOnAQueuedNumberReplacesTheQueuedOne() throws IOException {
    try (DunblockClient c = offline(DunblockClientOptions.builder())) {
      ReportReceipt first = c.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build());
      c.report(Report.builder("13900139000", Category.THREAT).build());
      // The same number written another way is the same number.
      c.report(Report.builder("+86 138-0013-8000", Category.LEGITIMATE).build());
      assertEquals(2, c.pendingReports());
      assertEquals(List.of("superseded " + first.idempotencyKey()), dropped);
    }
  }

  @Test
  void theQueueIsBoundedInBytes() throws IOException {
    long bound = DunblockClientOptions.MIN_MAX_QUEUED_BYTES;
    try (DunblockClient c = offline(DunblockClientOptions.builder().maxQueuedBytes(bound))) {
      String note = "called my mother at work again ".repeat(30);
      for (int i = 0; i < 40; i++) {
        assertTrue(c.report(Report.builder("138001380" + (10 + i), Category.CONTACT_HARASSMENT).note(note).build())
            .queued());
        assertTrue(queuedBytes() <= bound, "queue of " + queuedBytes() + " bytes after report " + i);
      }
      assertTrue(c.pendingReports() > 5 && c.pendingReports() < 40, String.valueOf(c.pendingReports()));
      assertEquals(40 - c.pendingReports(), dropped.size());
    }
  }

  @Test
  void boundsMustLeaveRoomForAReport() {
    assertThrows(IllegalArgumentException.class, () -> DunblockClientOptions.builder().baseUrl("http://x/")
        .dataDir(temp.toFile()).maxQueuedReports(0).build());
    assertThrows(IllegalArgumentException.class, () -> DunblockClientOptions.builder().baseUrl("http://x/")
        .dataDir(temp.toFile()).maxQueuedBytes(1000).build());
  }
}
