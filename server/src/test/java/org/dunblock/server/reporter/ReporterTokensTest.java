package org.dunblock.server.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.dunblock.server.testing.TestTokens;
import org.junit.jupiter.api.Test;

class ReporterTokensTest {
  static final String SECRET = "test-secret-0123456789abcdef";
  static final Instant MINTED = Instant.parse("2026-11-01T08:00:00Z");
  final ReporterTokens tokens = new ReporterTokens(SECRET, Clock.fixed(MINTED, ZoneOffset.UTC));

  @Test
  void issuedTokensVerifyAndForgeriesDoNot() {
    String token = tokens.issue();
    assertTrue(tokens.reporterHash(token).isPresent());
    assertTrue(new ReporterTokens("another-secret-0123456789").reporterHash(token).isEmpty());
    assertTrue(tokens.reporterHash("dbr_" + "A".repeat(43)).isEmpty());
    assertTrue(tokens.reporterHash("dbr_" + "A".repeat(55)).isEmpty());
  }

  @Test
  void aTokenCarriesItsMintTime() {
    ReporterTokens.Verified verified = tokens.verify(tokens.issue()).orElseThrow();
    assertEquals(MINTED.toEpochMilli(), verified.mintedAtMs());
    assertTrue(verified.carriesMintTime());
  }

  @Test
  void aTamperedMintTimeIsRejected() {
    String token = tokens.issue();
    byte[] raw = Base64.getUrlDecoder().decode(token.substring(ReporterTokens.PREFIX.length()));
    // The mint time follows the version byte and the nonce; back-date it by a week.
    long minted = MINTED.minusSeconds(7 * 86_400).toEpochMilli();
    for (int i = 0; i < 8; i++) {
      raw[17 + i] = (byte) (minted >>> (56 - 8 * i));
    }
    String forged = ReporterTokens.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    assertNotEquals(token, forged);
    assertTrue(tokens.verify(forged).isEmpty());
  }

  @Test
  void tokensOfTheOldFormatStillVerifyWithoutAMintTime() {
    String legacy = TestTokens.legacy(SECRET);
    ReporterTokens.Verified verified = tokens.verify(legacy).orElseThrow();
    assertEquals(ReporterTokens.NO_MINT_TIME, verified.mintedAtMs());
    assertTrue(new ReporterTokens("another-secret-0123456789").verify(legacy).isEmpty());
  }

  @Test
  void onlyTheCanonicalSpellingOfATokenIsAccepted() {
    for (String token : new String[] {tokens.issue(), TestTokens.legacy(SECRET)}) {
      String body = token.substring(0, token.length() - 1);
      String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      Set<String> reporters = new HashSet<>();
      for (char c : alphabet.toCharArray()) {
        tokens.reporterHash(body + c).ifPresent(reporters::add);
      }
      assertEquals(1, reporters.size(), "one token, one reporter");
    }
  }

  @Test
  void reportersAndNetworksAreKeyedHashes() {
    String a = tokens.reporterHash(tokens.issue()).orElseThrow();
    String b = tokens.reporterHash(tokens.issue()).orElseThrow();
    assertNotEquals(a, b);
    assertEquals(tokens.networkHash(InetAddresses.forString("203.0.113.1")),
        tokens.networkHash(InetAddresses.forString("203.0.113.200")));
    assertNotEquals(tokens.networkHash(InetAddresses.forString("203.0.113.1")),
        tokens.networkHash(InetAddresses.forString("203.0.114.1")));
  }
}
