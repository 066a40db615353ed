package org.dunblock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One damaged outbox file must not count as a pending report for ever. */
class OutboxQuarantineTest {
  @TempDir
  Path temp;

  @Test
  void unreadableOutboxFileIsQuarantinedAndNoLongerPending() throws Exception {
    File outbox = temp.resolve("outbox").toFile();
    assertTrue(outbox.mkdirs());
    Files.writeString(outbox.toPath().resolve("000000000000001-broken.json"), "{not json");
    try (DunblockClient c = DunblockClient.create(DunblockClientOptions.builder()
        .baseUrl(StorageDirsTest.unreachableUrl()).dataDir(temp.toFile()).backgroundSync(false).build())) {
      assertEquals(0, c.deliverQueuedReports());
      assertEquals(0, c.pendingReports(), "the damaged file is not a pending report");
      assertTrue(new File(outbox, "quarantine/000000000000001-broken.json").isFile());
    }
  }
}
