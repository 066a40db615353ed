package org.dunblock.server.reporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The secret behind reporter tokens and the keyed hashes of reporters and networks. It never lives in Redis: with
 * it, a dump's network hashes could be reversed by trying every /24. DUNBLOCK_SECRET sets it (required with an
 * external Redis, so every instance shares it); the embedded default keeps it in {@code DATA_DIR/secret}.
 */
public final class ServerSecret {
  static final String FILE = "secret";

  private ServerSecret() {
  }

  /** Resolves the secret (blocking: may create the file on first start). */
  public static String resolve(Optional<String> configured, Path dataDir) {
    if (configured.isPresent()) {
      return configured.get();
    }
    Path file = dataDir.resolve(FILE);
    try {
      if (Files.exists(file)) {
        return Files.readString(file).trim();
      }
      Files.createDirectories(dataDir);
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String secret = HexFormat.of().formatHex(random);
      Files.writeString(file, secret, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system; the data dir's own permissions have to do.
      }
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the server secret " + file, e);
    }
  }
}
