package org.dunblock.client.internal;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;

/** Crash-safe file writes: a temp file, fsync, then an atomic rename, so a reader sees the old or the new bytes. */
public final class AtomicFiles {
  private AtomicFiles() {
  }

  public static void write(File target, byte[] bytes) throws IOException {
    File parent = target.getParentFile();
    // Android may empty a cache dir while the app runs: recreate it rather than lose the write.
    if (parent != null && !parent.isDirectory() && !parent.mkdirs() && !parent.isDirectory()) {
      throw new IOException("cannot create " + parent);
    }
    File tmp = new File(parent, target.getName() + ".tmp");
    try (FileOutputStream out = new FileOutputStream(tmp)) {
      out.write(bytes);
      out.getFD().sync();
    }
    try {
      Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(tmp.toPath(), target.toPath(), StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
