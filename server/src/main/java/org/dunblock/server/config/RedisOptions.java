package org.dunblock.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Where reputation state lives.
 *
 * @param url {@code DUNBLOCK_REDIS_URL}: a Redis ({@code redis://}) or Redis Cluster ({@code redis-cluster://}); empty
 *     for the embedded Redis under {@code dataDir}. May hold a password: never log it (see {@link #toString()})
 * @param dataDir {@code DUNBLOCK_DATA_DIR}: the embedded Redis's data and append-only file, the server secret, the
 *     export signing key
 * @param embeddedPort the embedded Redis's port on loopback (0 picks a free one)
 * @param embeddedFsync when the embedded Redis fsyncs its append-only file: {@code everysec} or {@code always}
 * @param timeout a Redis command not answered within this fails (503 for a report, a degraded lookup)
 */
public record RedisOptions(
    Optional<String> url,
    Path dataDir,
    int embeddedPort,
    String embeddedFsync,
    Duration timeout) {

  public RedisOptions {
    if (embeddedPort < 0 || embeddedPort > 65535) {
      throw new ConfigException("DUNBLOCK_EMBEDDED_REDIS_PORT", "must be between 0 and 65535");
    }
    if (!"always".equals(embeddedFsync) && !"everysec".equals(embeddedFsync)) {
      throw new ConfigException("DUNBLOCK_EMBEDDED_REDIS_FSYNC", "must be always or everysec");
    }
    DunblockConfig.requirePositive("DUNBLOCK_REDIS_TIMEOUT_MS", timeout);
  }

  /** Whether the server runs its own Redis (no URL configured). */
  public boolean embedded() {
    return url.isEmpty();
  }

  /** Without the credentials a URL may carry. */
  @Override
  public String toString() {
    return "RedisOptions[url=" + url.map(RedisOptions::redact).orElse("embedded") + ", dataDir=" + dataDir
        + ", embeddedPort=" + embeddedPort + ", embeddedFsync=" + embeddedFsync + ", timeout=" + timeout + "]";
  }

  /**
   * Hides the user info of a Redis URI: everything between {@code //} and the last {@code @}, as a password may
   * itself hold {@code @} or {@code /} (host names never hold {@code @}).
   */
  static String redact(String url) {
    int start = url.indexOf("//");
    int at = url.lastIndexOf('@');
    if (start < 0 || at < start) {
      return url;
    }
    return url.substring(0, start + 2) + "***" + url.substring(at);
  }
}
