package org.dunblock.server.reporter;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.dunblock.server.net.IpRange;

/**
 * Anonymous reporter tokens and the keyed hashes that stand for reporters and networks in storage.
 *
 * <p>A token is 16 random bytes followed by 16 bytes of HMAC over them, so any instance verifies a token without a
 * Redis round trip and a forged one fails. Redis only ever sees HMACs of the token and of the client's network, never
 * the token or the address, so a database dump does not reveal who reported.
 */
public final class ReporterTokens {
  public static final String PREFIX = "dbr_";
  private static final int NONCE_BYTES = 16;
  private static final int MAC_BYTES = 16;

  private final HashFunction mac;
  private final SecureRandom random = new SecureRandom();

  public ReporterTokens(String secret) {
    this.mac = Hashing.hmacSha256(secret.getBytes(StandardCharsets.UTF_8));
  }

  public String issue() {
    byte[] token = new byte[NONCE_BYTES + MAC_BYTES];
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, token, 0, NONCE_BYTES);
    System.arraycopy(sign(nonce), 0, token, NONCE_BYTES, MAC_BYTES);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  /** The reporter's stored identity (a keyed hash) if the token is genuine. */
  public Optional<String> reporterHash(String token) {
    if (token == null || !token.startsWith(PREFIX) || token.length() > 80) {
      return Optional.empty();
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (raw.length != NONCE_BYTES + MAC_BYTES) {
      return Optional.empty();
    }
    // Base64 leaves spare bits in the last character: accept only the one canonical spelling of a token, or a
    // reporter could vote again under each of its spellings.
    String canonical = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    if (!canonical.equals(token)) {
      return Optional.empty();
    }
    byte[] nonce = new byte[NONCE_BYTES];
    byte[] given = new byte[MAC_BYTES];
    System.arraycopy(raw, 0, nonce, 0, NONCE_BYTES);
    System.arraycopy(raw, NONCE_BYTES, given, 0, MAC_BYTES);
    if (!MessageDigest.isEqual(sign(nonce), given)) {
      return Optional.empty();
    }
    return Optional.of(keyed("reporter|" + token));
  }

  /** The keyed hash of the client's network (/24 or /48) that the distinct-network quorum counts. */
  public String networkHash(InetAddress client) {
    return keyed("network|" + IpRange.networkOf(client));
  }

  /** A keyed hash of any other value that must not be stored in the clear (e.g. an Idempotency-Key). */
  public String keyed(String value) {
    return mac.hashString(value, StandardCharsets.UTF_8).toString().substring(0, 32);
  }

  private byte[] sign(byte[] nonce) {
    byte[] full = mac.newHasher().putString("token|", StandardCharsets.UTF_8).putBytes(nonce).hash().asBytes();
    byte[] out = new byte[MAC_BYTES];
    System.arraycopy(full, 0, out, 0, MAC_BYTES);
    return out;
  }
}
