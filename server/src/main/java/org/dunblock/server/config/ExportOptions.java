package org.dunblock.server.config;

import java.time.Duration;
import java.util.Optional;

/**
 * Exports for carriers.
 *
 * @param signingKey {@code DUNBLOCK_EXPORT_SIGNING_KEY}, a base64 PKCS#8 Ed25519 private key; empty: generated once
 *     (kept in the data directory with the embedded Redis, in Redis otherwise). Never logged
 * @param ttl how long an export's snapshot (for {@code since=}) and signature are kept
 */
public record ExportOptions(Optional<String> signingKey, Duration ttl) {
  public ExportOptions {
    DunblockConfig.requirePositive("DUNBLOCK_EXPORT_TTL_HOURS", ttl);
    signingKey.ifPresent(k -> Ed25519Keys.seedOfPkcs8(k, "DUNBLOCK_EXPORT_SIGNING_KEY"));
  }

  /** Without the key. */
  @Override
  public String toString() {
    return "ExportOptions[signingKey=" + (signingKey.isPresent() ? "from DUNBLOCK_EXPORT_SIGNING_KEY" : "generated")
        + ", ttl=" + ttl + "]";
  }
}
