package org.dunblock.server.keys;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The secret side of API keys: {@code dbk_} followed by 32 random bytes. Only the SHA-256 of a key is stored;
 * keys carry 256 bits of entropy, so a plain hash cannot be reversed by guessing.
 */
public final class ApiKeySecrets {
  public static final String PREFIX = "dbk_";
  /** Seeded keys (DUNBLOCK_ADMIN_KEY) are chosen by people; demand enough length to resist guessing. */
  public static final int MIN_SEED_LENGTH = org.dunblock.server.config.DunblockConfig.MIN_ADMIN_KEY_LENGTH;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeySecrets() {
  }

  public static String generate() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(String key) {
    return Hashing.sha256().hashString(key, StandardCharsets.UTF_8).toString();
  }

  /** A short public id for listing and revoking: the first 12 hex digits of the hash. */
  public static String idOf(String hash) {
    return hash.substring(0, 12);
  }
}
