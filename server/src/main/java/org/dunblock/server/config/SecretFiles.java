package org.dunblock.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files that hold secrets (the server secret, the export signing key, the embedded Redis password): owner-only
 * (mode 600) from the moment they exist. A file is written in full under a temporary name created 600, then linked
 * into place atomically, so no other user ever sees it readable, nobody ever sees it half written, and of processes
 * creating it at once one wins and every one uses the winner's secret. Blocking.
 */
public final class SecretFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SecretFiles.class);
  static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

  private SecretFiles() {
  }

  /**
   * The file's content (trimmed); when there is no file yet, {@code generate}'s value written to it first. A file
   * an older version left readable by others is made owner-only (with a warning, never the content).
   */
  public static String readOrCreate(Path file, Supplier<String> generate) throws IOException {
    if (!Files.exists(file)) {
      try {
        create(file, generate.get());
      } catch (FileAlreadyExistsException e) {
        // Another process created it first: use theirs.
      }
    } else {
      tighten(file);
    }
    return Files.readString(file, StandardCharsets.UTF_8).trim();
  }

  /** Writes a new secret file; fails with FileAlreadyExistsException when the file exists. */
  public static void create(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = posix()
        ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
        : Files.createTempFile(dir, "." + file.getFileName(), ".tmp", new FileAttribute<?>[0]);
    try {
      Files.writeString(temp, content, StandardCharsets.UTF_8);
      try {
        // A hard link appears atomically and never replaces an existing file (link(2) fails with EEXIST): of
        // processes creating the file at once exactly one wins, and the others read its secret. A rename would
        // replace the winner's file after the winner had read it.
        Files.createLink(file, temp);
      } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
        if (e instanceof FileAlreadyExistsException exists) {
          throw exists;
        }
        // No hard links here (some network or FAT file systems): check, then move; two creators at once may race.
        if (Files.exists(file)) {
          throw new FileAlreadyExistsException(file.toString());
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private static void tighten(Path file) throws IOException {
    if (!posix()) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(permissions)) {
      LOG.warn("Secret file {} was readable by others ({}); making it owner-only", file,
          PosixFilePermissions.toString(permissions));
      Files.setPosixFilePermissions(file, OWNER_ONLY);
    }
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
