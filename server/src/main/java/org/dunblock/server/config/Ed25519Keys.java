package org.dunblock.server.config;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/** Reads the Ed25519 private keys configured as base64 PKCS#8 (the export signing key), failing fast at start. */
public final class Ed25519Keys {
  public static final String ALGORITHM = "Ed25519";

  private Ed25519Keys() {
  }

  /** The 32-byte seed of a base64 PKCS#8 Ed25519 private key; throws {@link ConfigException} naming {@code variable}. */
  public static byte[] seedOfPkcs8(String base64, String variable) {
    try {
      byte[] der = Base64.getDecoder().decode(base64.trim());
      return ((EdECPrivateKey) KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der)))
          .getBytes()
          .orElseThrow(() -> new ConfigException(variable, "holds no Ed25519 private key bytes"));
    } catch (IllegalArgumentException | GeneralSecurityException | ClassCastException e) {
      throw new ConfigException(variable, "must be a base64 PKCS#8 Ed25519 private key ("
          + e.getClass().getSimpleName() + ")");
    }
  }
}
