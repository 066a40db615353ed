package org.dunblock.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.ConfigException;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.Conditions;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS from a PEM certificate and key (DUNBLOCK_TLS_CERT, DUNBLOCK_TLS_KEY); plain HTTP is not served there. */
@ExtendWith(VertxExtension.class)
class TlsIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @TempDir
  static Path dir;
  /** Certificate and key, made once for the class (RSA key generation takes seconds on a busy machine). */
  static Path[] certAndKey;

  @BeforeAll
  static void makeCertificate() throws Exception {
    certAndKey = selfSigned(dir);
  }

  /** A self-signed certificate for 127.0.0.1 made with the JDK's keytool, written out as PEM files. */
  static Path[] selfSigned(Path dir) throws Exception {
    Path store = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "dunblock", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, output);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.writeString(cert, pem("CERTIFICATE", keys.getCertificate("dunblock").getEncoded()));
    Files.writeString(key, pem("PRIVATE KEY", keys.getKey("dunblock", "changeit".toCharArray()).getEncoded()));
    return new Path[] {cert, key};
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Test
  void servesHttpsWithTheConfiguredCertificateAndNoPlainHttp(Vertx vertx) throws Exception {
    DunblockServer server = TestServers.start(TestServers.config(redis).tlsCert(certAndKey[0])
        .tlsKey(certAndKey[1]));
    WebClient trusting = WebClient.create(vertx, new WebClientOptions().setSsl(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(certAndKey[0].toString()))
        .setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
    WebClient untrusting = WebClient.create(vertx, new WebClientOptions().setSsl(true)
        .setDefaultHost("127.0.0.1").setDefaultPort(server.port()));
    try {
      Conditions.waitUntil("ready over HTTPS", java.time.Duration.ofSeconds(15),
          () -> Api.await(trusting.get("/ready").send()).statusCode() == 200);
      HttpResponse<Buffer> lookup = Api.await(trusting.get("/v1/numbers/13800138000").send());
      assertEquals(200, lookup.statusCode());
      assertEquals("+8613800138000", lookup.bodyAsJsonObject().getString("number"));

      // A client that does not trust the certificate gets no answer.
      assertThrows(Exception.class, () -> untrusting.get("/health").send().await(10, TimeUnit.SECONDS));

      // Plain HTTP on the HTTPS port is never answered as HTTP.
      try (Socket plain = new Socket()) {
        plain.connect(new InetSocketAddress("127.0.0.1", server.port()), 2_000);
        plain.setSoTimeout(10_000);
        plain.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII));
        byte[] answer = readUntilClosed(plain.getInputStream());
        assertFalse(new String(answer, StandardCharsets.ISO_8859_1).contains("HTTP/1."),
            "plain HTTP was served on the TLS port");
      }
    } finally {
      trusting.close();
      untrusting.close();
      server.close();
    }
  }

  static byte[] readUntilClosed(InputStream in) throws IOException {
    try {
      return in.readNBytes(64 * 1024);
    } catch (java.net.SocketException reset) {
      return new byte[0];
    }
  }

  @Test
  void aCertificateWithoutItsKeyIsRefusedAtStart() {
    assertEquals("DUNBLOCK_TLS_KEY", assertThrows(ConfigException.class,
        () -> DunblockConfig.fromEnv(java.util.Map.of("DUNBLOCK_TLS_CERT", certAndKey[0].toString()))).variable());
    assertEquals("DUNBLOCK_TLS_CERT", assertThrows(ConfigException.class, () -> DunblockConfig.fromEnv(
        java.util.Map.of("DUNBLOCK_TLS_CERT", dir.resolve("missing.pem").toString(),
            "DUNBLOCK_TLS_KEY", certAndKey[1].toString()))).variable());
  }
}
