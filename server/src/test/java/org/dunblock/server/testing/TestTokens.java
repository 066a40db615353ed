package org.dunblock.server.testing;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.dunblock.server.reporter.ReporterTokens;

/**
 * Reporter tokens minted as a server with the test secret would have minted them at another time: established
 * reporters (a token a week old) without waiting a week, and tokens of the old format (no mint time) that apps
 * installed before mint times were carried still hold.
 */
public final class TestTokens {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestTokens() {
  }

  /** A token minted at {@code when} by a server with {@link TestServers#SECRET}. */
  public static String mintedAt(Instant when) {
    return mintedAt(TestServers.SECRET, when);
  }

  /** A token minted at {@code when} by a server with {@code secret} (e.g. a jar's generated DATA_DIR/secret). */
  public static String mintedAt(String secret, Instant when) {
    return new ReporterTokens(secret, Clock.fixed(when, ZoneOffset.UTC)).issue();
  }

  /** A token minted {@code ago} before {@code clock}'s now: {@code established(clock)} is eight days old. */
  public static String mintedAgo(Clock clock, Duration ago) {
    return mintedAt(clock.instant().minus(ago));
  }

  /** A token old enough to weigh fully (eight days before {@code clock}'s now). */
  public static String established(Clock clock) {
    return mintedAgo(clock, Duration.ofDays(8));
  }

  /**
   * An established token for a server on the system clock that keeps its secret in {@code dataDir} (the embedded
   * default: DATA_DIR/secret, generated at first start).
   */
  public static String established(Path dataDir) {
    try {
      return mintedAt(Files.readString(dataDir.resolve("secret")).trim(), Instant.now().minus(Duration.ofDays(8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An established token for a server on the system clock. */
  public static String established() {
    return established(Clock.systemUTC());
  }

  /** A token of the old format (16 random bytes and their HMAC, no mint time), as servers issued them before. */
  public static String legacy(String secret) {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    byte[] mac = Hashing.hmacSha256(secret.getBytes(StandardCharsets.UTF_8)).newHasher()
        .putString("token|", StandardCharsets.UTF_8).putBytes(nonce).hash().asBytes();
    byte[] token = new byte[32];
    System.arraycopy(nonce, 0, token, 0, 16);
    System.arraycopy(mac, 0, token, 16, 16);
    return ReporterTokens.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  public static String legacy() {
    return legacy(TestServers.SECRET);
  }
}
