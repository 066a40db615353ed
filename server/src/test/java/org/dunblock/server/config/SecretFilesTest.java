package org.dunblock.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.export.ExportSigningKey;
import org.dunblock.server.reporter.ServerSecret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret files are owner-only from the moment they exist, and never overwritten. */
class SecretFilesTest {
  static String mode(Path file) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void aNewSecretFileIsOwnerOnlyAndLeavesNoTemporaryFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("sub").resolve("secret");
    assertEquals("s3cret", SecretFiles.readOrCreate(file, () -> "s3cret\n"));
    assertEquals("rw-------", mode(file));
    try (var files = Files.list(file.getParent())) {
      assertEquals(1, files.count(), "only the secret itself is left");
    }
    assertEquals("s3cret", SecretFiles.readOrCreate(file, () -> "other"), "an existing secret is kept");
    assertThrows(FileAlreadyExistsException.class, () -> SecretFiles.create(file, "other"));
  }

  @Test
  void processesCreatingTheSameSecretAtOnceAllGetTheOneThatWasKept(@TempDir Path dir) throws Exception {
    // Two instances started at once on one data directory: each must use the secret the file keeps, or tokens one
    // of them mints stop verifying after its restart. Eight threads race on a fresh file, 200 times.
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 200; round++) {
        Path file = dir.resolve("secret-" + round);
        CyclicBarrier start = new CyclicBarrier(8);
        List<Future<String>> got = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          String mine = "secret-of-" + t;
          got.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            return SecretFiles.readOrCreate(file, () -> mine);
          }));
        }
        String kept = null;
        for (Future<String> f : got) {
          String value = f.get(30, TimeUnit.SECONDS);
          kept = kept == null ? Files.readString(file).trim() : kept;
          assertEquals(kept, value, "round " + round + ": a creator got a secret the file does not keep");
        }
        assertEquals(kept, Files.readString(file).trim(), "round " + round);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSecretFileLeftReadableByOthersIsMadeOwnerOnly(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve(ServerSecretFile.NAME), "old-secret");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals("old-secret", ServerSecret.resolve(Optional.empty(), dir));
    assertEquals("rw-------", mode(file));
  }

  @Test
  void theServerSecretAndTheExportSigningKeyAreOwnerOnly(@TempDir Path dir) throws Exception {
    ServerSecret.resolve(Optional.empty(), dir);
    assertEquals("rw-------", mode(dir.resolve(ServerSecretFile.NAME)));
    ExportSigningKey.load(Optional.empty(), dir, null);
    assertEquals("rw-------", mode(dir.resolve("export-signing-key")));
  }

  /** ServerSecret's file name (package-private there). */
  static final class ServerSecretFile {
    static final String NAME = "secret";
  }
}
