package org.dunblock.server.reporter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import org.dunblock.server.config.SecretFiles;

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
      return SecretFiles.readOrCreate(file, () -> {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the server secret " + file, e);
    }
  }
}
