package org.dunblock.server.keys;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The keys command line against a real Redis, and the server honouring what it minted and revoked. */
@ExtendWith(VertxExtension.class)
class KeysCliIT {

  record Run(int code, String out, String err) {
  }

  static Run keys(DunblockConfig config, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = KeysCli.run(List.of(args), config, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void mintedKeysWorkUntilRevokedAndAreStoredOnlyHashed(Vertx vertx) {
    try (TestRedis redis = TestRedis.start()) {
      DunblockConfig config = TestServers.config(redis).build();
      Run created = keys(config, "create", "--role", "admin", "--label", "ops laptop");
      assertEquals(0, created.code(), created.err());
      String secret = created.out().trim();
      assertTrue(secret.startsWith("dbk_"), secret);

      Run listed = keys(config, "list");
      assertTrue(listed.out().contains("admin"), listed.out());
      assertTrue(listed.out().contains("ops laptop"), listed.out());
      assertFalse(listed.out().contains(secret), "list never shows a secret");
      assertFalse(redis.commands().hgetall(KeyRegistry.BY_HASH).toString().contains(secret), "stored hashed");

      DunblockServer server = TestServers.start(TestServers.config(redis));
      Api api = new Api(vertx, server.port());
      try {
        waitReady(api);
        assertEquals(200, api.request(io.vertx.core.http.HttpMethod.GET, "/v1/admin/audit")
            .putHeader("Authorization", "Bearer " + secret).send().await().statusCode());

        String id = ApiKeySecrets.idOf(ApiKeySecrets.hash(secret));
        Run revoked = keys(config, "revoke", id, "--reason", "laptop lost");
        assertEquals(0, revoked.code(), revoked.err());
        var after = api.request(io.vertx.core.http.HttpMethod.GET, "/v1/admin/audit")
            .putHeader("Authorization", "Bearer " + secret).send().await();
        assertEquals(401, after.statusCode(), "a revoked key is refused at once");
        assertEquals("invalid_api_key", after.bodyAsJsonObject().getString("error"));
      } finally {
        api.close();
        server.close();
      }
    }
  }

  /** The embedded Redis needs its password: the CLI finds it in the data dir, with or without a server running. */
  @Test
  void theCliWorksOnTheEmbeddedRedisOfADataDir(Vertx vertx, @TempDir Path dataDir) {
    DunblockConfig config = DunblockConfig.builder().host("127.0.0.1").port(TestRedis.freePort()).dataDir(dataDir)
        .eventLoops(1).build();
    Run offline = keys(config, "create", "--role", "operator", "--label", "no server running");
    assertEquals(0, offline.code(), offline.err());
    DunblockServer server = DunblockServer.start(config, Clock.systemUTC());
    Api api = new Api(vertx, server.port());
    try {
      waitReady(api);
      Run online = keys(config, "create", "--role", "admin", "--label", "server running");
      assertEquals(0, online.code(), online.err());
      for (String secret : List.of(offline.out().trim(), online.out().trim())) {
        assertEquals(200, api.request(io.vertx.core.http.HttpMethod.GET, "/v1/admin/appeals")
            .putHeader("Authorization", "Bearer " + secret).send().await().statusCode());
      }
      assertTrue(keys(config, "list").out().contains("no server running"));
    } finally {
      api.close();
      server.close();
    }
  }

  @Test
  void badCommandsExplainThemselves() {
    try (TestRedis redis = TestRedis.start()) {
      DunblockConfig config = TestServers.config(redis).build();
      assertEquals(2, keys(config, "create").code());
      assertEquals(2, keys(config, "create", "--role", "superuser").code());
      assertEquals(1, keys(config, "revoke", "nosuchkey").code());
      Run unknown = keys(config, "frobnicate");
      assertEquals(2, unknown.code());
      assertTrue(unknown.err().contains("usage"), unknown.err());
    }
  }

  @Test
  void aRevokedSeededAdminKeyStaysRevokedAcrossRestarts(Vertx vertx) {
    String seed = "seeded-admin-key-0123456789abcdef";
    try (TestRedis redis = TestRedis.start()) {
      DunblockConfig config = TestServers.config(redis).adminKey(seed).build();
      DunblockServer first = TestServers.start(TestServers.config(redis).adminKey(seed));
      first.close();
      String id = ApiKeySecrets.idOf(ApiKeySecrets.hash(seed));
      Run revoked = keys(config, "revoke", id, "--reason", "leaked in a log");
      assertEquals(0, revoked.code(), revoked.err());

      RuntimeException refused = assertThrows(RuntimeException.class,
          () -> TestServers.start(TestServers.config(redis).adminKey(seed)).close());
      String message = refused.getMessage();
      assertTrue(message.contains("DUNBLOCK_ADMIN_KEY") && message.contains("revoked") && message.contains(id),
          message);

      // Started without it, the server still refuses the revoked key.
      DunblockServer server = TestServers.start(TestServers.config(redis));
      Api api = new Api(vertx, server.port());
      try {
        waitReady(api);
        var answer = api.request(io.vertx.core.http.HttpMethod.GET, "/v1/admin/audit")
            .putHeader("Authorization", "Bearer " + seed).send().await();
        assertEquals(401, answer.statusCode());
        assertEquals("invalid_api_key", answer.bodyAsJsonObject().getString("error"));
      } finally {
        api.close();
        server.close();
      }
    }
  }
}
