package org.dunblock.server.reporter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReporterTokensTest {
  final ReporterTokens tokens = new ReporterTokens("test-secret-0123456789abcdef");

  @Test
  void issuedTokensVerifyAndForgeriesDoNot() {
    String token = tokens.issue();
    assertTrue(tokens.reporterHash(token).isPresent());
    assertTrue(new ReporterTokens("another-secret-0123456789").reporterHash(token).isEmpty());
    assertTrue(tokens.reporterHash("dbr_" + "A".repeat(43)).isEmpty());
  }

  @Test
  void onlyTheCanonicalSpellingOfATokenIsAccepted() {
    String token = tokens.issue();
    String body = token.substring(0, token.length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    Set<String> reporters = new HashSet<>();
    for (char c : alphabet.toCharArray()) {
      tokens.reporterHash(body + c).ifPresent(reporters::add);
    }
    assertEquals(1, reporters.size(), "one token, one reporter");
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
