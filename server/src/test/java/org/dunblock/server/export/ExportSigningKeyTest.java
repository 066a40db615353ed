package org.dunblock.server.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;
import org.dunblock.server.config.ConfigException;
import org.dunblock.server.config.DunblockConfig;
import org.junit.jupiter.api.Test;

class ExportSigningKeyTest {
  @Test
  void configuredKeyPublishesItsOwnPublicKeyAndSignsVerifiably() throws Exception {
    KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    String pkcs8 = Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
    ExportSigningKey key = ExportSigningKey.fromPkcs8(pkcs8, "DUNBLOCK_EXPORT_SIGNING_KEY");
    assertArrayEquals(pair.getPublic().getEncoded(), key.spki());
    assertEquals(32, key.raw().length);
    assertTrue(key.pem().startsWith("-----BEGIN PUBLIC KEY-----\n"));

    String message = ExportSigningKey.message("v1-00000000", "minVerdict=WARN;categories=", null, "ab");
    assertEquals("dunblock-export-v1\nv1-00000000\nminVerdict=WARN;categories=\n-\nab\n", message);
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(pair.getPublic());
    verifier.update(message.getBytes(StandardCharsets.UTF_8));
    assertTrue(verifier.verify(key.sign(message)));
  }

  @Test
  void aBadConfiguredKeyStopsTheStartNamingTheVariableWithoutEchoingIt() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(Map.of("DUNBLOCK_EXPORT_SIGNING_KEY", "bm90IGEga2V5")));
    assertTrue(e.getMessage().contains("DUNBLOCK_EXPORT_SIGNING_KEY"), e.getMessage());
    assertFalse(e.getMessage().contains("bm90IGEga2V5"), e.getMessage());
  }

  @Test
  void describeNamesTheKeySourceNotTheKey() throws Exception {
    String pkcs8 = Base64.getEncoder().encodeToString(
        KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate().getEncoded());
    DunblockConfig config = DunblockConfig.fromEnv(Map.of("DUNBLOCK_EXPORT_SIGNING_KEY", pkcs8,
        "DUNBLOCK_EXPORT_TTL_HOURS", "48"));
    assertTrue(config.describe().contains("exportSigningKey=from DUNBLOCK_EXPORT_SIGNING_KEY"), config.describe());
    assertFalse(config.describe().contains(pkcs8));
    assertEquals(48, config.exports().ttl().toHours());
  }
}
