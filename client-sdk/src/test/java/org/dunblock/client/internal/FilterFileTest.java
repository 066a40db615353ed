package org.dunblock.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.dunblock.client.DunblockClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter file and its journal on disk, without a server (nothing here talks to one). */
class FilterFileTest {
  @TempDir
  Path temp;

  FilterSync sync() {
    Http http = new Http(DunblockClientOptions.builder().baseUrl("http://127.0.0.1:9/").backgroundSync(false)
        .cacheDir(temp.toFile()).build());
    return new FilterSync(http, temp.toFile(), Duration.ofDays(7), new Backoff(Duration.ofMillis(10),
        Duration.ofMillis(10)));
  }

  static BloomFilter<CharSequence> bloom(String... numbers) {
    BloomFilter<CharSequence> b = BloomFilter.create(Funnels.stringFunnel(StandardCharsets.UTF_8), 10_000, 0.01);
    for (String n : numbers) {
      b.put(n);
    }
    return b;
  }

  @Test
  void fileOfTheSdkBeforeTheJournalIsReadAndRewrittenOnce() throws IOException {
    File file = temp.resolve(FilterSync.FILE_NAME).toFile();
    Files.write(file.toPath(), FilterHeapBench.oldToFile(bloom("+8613800138000", "P:+86139001"), "1.AAAA", "\"e\"",
        10_000, 2, System.currentTimeMillis()));
    FilterSync s = sync();
    s.load();
    assertNotNull(s.state());
    assertTrue(s.mightContain("+8613800138000"));
    assertTrue(s.mightContain("+8613900155555"), "format 1's default probes: the prefix entry is found");
    assertFalse(s.mightContain("+8613700000000"));
    assertEquals(1, s.fileWrites(), "rewritten in the new layout");
    try (DataInputStream in = new DataInputStream(new FileInputStream(file))) {
      assertEquals(FilterFile.MAGIC_2, in.readInt());
    }
    FilterSync again = sync();
    again.load();
    assertEquals(0, again.fileWrites());
    assertEquals("1.AAAA", again.state().version);
    assertEquals(2, again.state().added);
  }

  @Test
  void journalReplaysChangesAndRemovalsAndCutsATornTail() throws IOException {
    File file = temp.resolve(FilterSync.FILE_NAME).toFile();
    FilterState s = new FilterState(bloom("+8613800138000"), "1.AAAA", null, 10_000, 1, 0, 1L, 0, 1,
        FilterProbes.parse(FilterProbes.FORMAT_1_DEFAULT), ConcurrentHashMap.newKeySet(), 42);
    FilterFile.write(file, s, 42);
    FilterJournal journal = new FilterJournal(temp.resolve(FilterSync.JOURNAL_NAME).toFile());
    journal.reset(42);
    journal.appendChange("1.AAAB", List.of("+8613800138001"), List.of());
    journal.appendChange("1.AAAC", List.of(), List.of("+8613800138000"));
    long good = journal.file().length();
    Files.write(journal.file().toPath(), "0000beef c\t1.AAAD\t+86138".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);

    FilterSync loaded = sync();
    loaded.load();
    assertEquals("1.AAAC", loaded.state().version);
    assertTrue(loaded.mightContain("+8613800138001"));
    assertFalse(loaded.mightContain("+8613800138000"), "removed by the journal");
    assertEquals(good, journal.file().length(), "the torn tail is cut, so later lines are not hidden behind it");
    assertEquals(0, loaded.fileWrites());

    // A journal of another file (the file was rewritten, the reset did not happen) is ignored.
    FilterFile.write(file, s, 43);
    FilterSync stale = sync();
    stale.load();
    assertEquals("1.AAAA", stale.state().version);
    assertTrue(stale.mightContain("+8613800138000"));
  }

  @Test
  void damagedLengthIsRefusedWithoutAllocatingIt() throws IOException {
    File file = temp.resolve(FilterSync.FILE_NAME).toFile();
    FilterState s = new FilterState(bloom("+8613800138000"), "1.AAAA", null, 10_000, 1, 0, 1L, 0, 1,
        FilterProbes.parse(FilterProbes.FORMAT_1_DEFAULT), ConcurrentHashMap.newKeySet(), 7);
    FilterFile.write(file, s, 7);
    // The Guava word count sits 4 bytes after its strategy and hash bytes: make it claim 2^31-1 words.
    byte[] bytes = Files.readAllBytes(file.toPath());
    int bloomStart = (int) (file.length() - 32 - (6 + 8L * ((BloomFilterWords.of(s.bloom)))));
    try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
      raf.seek(bloomStart + 2);
      raf.writeInt(Integer.MAX_VALUE);
    }
    IOException e = assertThrows(IOException.class, () -> FilterFile.read(file, 0));
    assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    assertEquals(bytes.length, file.length());
    FilterSync loaded = sync();
    loaded.load();
    assertNull(loaded.state(), "a damaged file is never used");
    assertFalse(file.exists());
  }

  @Test
  void probeRulesComeFromTheirDescription() {
    FilterProbes p = FilterProbes.parse("exact; prefix key=P: min=4 short=3; range key=R: cut=2 min=11");
    assertEquals(List.of("+8613800138000", "P:+861", "P:+8613", "P:+86138", "P:+861380", "P:+8613800",
        "P:+86138001", "P:+861380013", "P:+8613800138", "R:+86138001380"), p.keys("+8613800138000"));
    assertEquals(List.of("+8695588"), FilterProbes.parse("exact").keys("+8695588"));
    for (String bad : new String[] {"", "prefix key=P: min=4 short=3", "exact; suffix key=S:",
        "exact; prefix key=P: min=4", "exact; range key=R: cut=2 min=11 shift=1", "exact; prefix min=4 short=3"}) {
      assertThrows(IllegalArgumentException.class, () -> FilterProbes.parse(bad), bad);
    }
  }

  /** Words of a Guava filter, from its own serialized form (bytes 2-5). */
  static final class BloomFilterWords {
    static long of(BloomFilter<CharSequence> b) throws IOException {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      b.writeTo(out);
      byte[] x = out.toByteArray();
      return ((x[2] & 0xFFL) << 24) | ((x[3] & 0xFF) << 16) | ((x[4] & 0xFF) << 8) | (x[5] & 0xFF);
    }
  }
}
