package org.dunblock.server.reporter;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;
import org.dunblock.server.net.IpRange;

/**
 * Anonymous reporter tokens and the keyed hashes that stand for reporters and networks in storage.
 *
 * <p>A token is a version byte, 16 random bytes and the time it was minted (epoch ms), followed by 16 bytes of HMAC
 * over all of them, so any instance verifies a token and learns its age without a Redis round trip, and neither a
 * forged token nor a back-dated mint time passes. The mint time is the only thing a token says about its holder,
 * and it is never stored: Redis only ever sees HMACs of the token and of the client's network, never the token or
 * the address, so a database dump does not reveal who reported.
 *
 * <p>Tokens of the first format (16 random bytes and their HMAC, no version, no mint time) still verify: apps
 * installed before hold them. They carry {@link #NO_MINT_TIME}; reporter trust then ages them from the first time
 * the server saw them (docs/trust.md, "old tokens").
 */
public final class ReporterTokens {
  public static final String PREFIX = "dbr_";
  /** The mint time of a token of the first format, which carries none. */
  public static final long NO_MINT_TIME = -1;
  private static final byte VERSION = 2;
  private static final int NONCE_BYTES = 16;
  private static final int TIME_BYTES = 8;
  private static final int MAC_BYTES = 16;
  private static final int LEGACY_BYTES = NONCE_BYTES + MAC_BYTES;
  private static final int TOKEN_BYTES = 1 + NONCE_BYTES + TIME_BYTES + MAC_BYTES;

  /** A genuine token: the reporter's stored identity (a keyed hash) and when the token was minted. */
  public record Verified(String hash, long mintedAtMs) {
    public boolean carriesMintTime() {
      return mintedAtMs != NO_MINT_TIME;
    }
  }

  private final HashFunction mac;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public ReporterTokens(String secret, Clock clock) {
    this.mac = Hashing.hmacSha256(secret.getBytes(StandardCharsets.UTF_8));
    this.clock = clock;
  }

  /** Tokens minted on the system clock. */
  public ReporterTokens(String secret) {
    this(secret, Clock.systemUTC());
  }

  public String issue() {
    ByteBuffer signed = ByteBuffer.allocate(1 + NONCE_BYTES + TIME_BYTES);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    signed.put(VERSION).put(nonce).putLong(clock.millis());
    byte[] token = ByteBuffer.allocate(TOKEN_BYTES).put(signed.array()).put(sign(signed.array())).array();
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(token);
  }

  /** The reporter's stored identity (a keyed hash) if the token is genuine. */
  public Optional<String> reporterHash(String token) {
    return verify(token).map(Verified::hash);
  }

  /** The reporter's stored identity and the token's mint time, if the token is genuine. */
  public Optional<Verified> verify(String token) {
    if (token == null || !token.startsWith(PREFIX) || token.length() > 80) {
      return Optional.empty();
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (raw.length != LEGACY_BYTES && raw.length != TOKEN_BYTES) {
      return Optional.empty();
    }
    // Base64 leaves spare bits in the last character: accept only the one canonical spelling of a token, or a
    // reporter could vote again under each of its spellings.
    String canonical = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    if (!canonical.equals(token)) {
      return Optional.empty();
    }
    if (raw.length == TOKEN_BYTES && raw[0] != VERSION) {
      return Optional.empty();
    }
    int signedBytes = raw.length - MAC_BYTES;
    byte[] signed = new byte[signedBytes];
    byte[] given = new byte[MAC_BYTES];
    System.arraycopy(raw, 0, signed, 0, signedBytes);
    System.arraycopy(raw, signedBytes, given, 0, MAC_BYTES);
    if (!MessageDigest.isEqual(sign(signed), given)) {
      return Optional.empty();
    }
    long minted = raw.length == TOKEN_BYTES ? ByteBuffer.wrap(raw, 1 + NONCE_BYTES, TIME_BYTES).getLong()
        : NO_MINT_TIME;
    return Optional.of(new Verified(keyed("reporter|" + token), minted));
  }

  /** The keyed hash of the client's network (/24 or /48) that the distinct-network quorum counts. */
  public String networkHash(InetAddress client) {
    return keyed("network|" + IpRange.networkOf(client));
  }

  /** A keyed hash of any other value that must not be stored in the clear (e.g. an Idempotency-Key). */
  public String keyed(String value) {
    return mac.hashString(value, StandardCharsets.UTF_8).toString().substring(0, 32);
  }

  /**
   * The first format signed "token|" + nonce; the current one "token|" + version, nonce and mint time. The lengths
   * differ, so a signature of one format never verifies a token of the other.
   */
  private byte[] sign(byte[] signed) {
    byte[] full = mac.newHasher().putString("token|", StandardCharsets.UTF_8).putBytes(signed).hash().asBytes();
    byte[] out = new byte[MAC_BYTES];
    System.arraycopy(full, 0, out, 0, MAC_BYTES);
    return out;
  }
}
