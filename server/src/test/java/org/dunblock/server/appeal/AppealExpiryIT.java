package org.dunblock.server.appeal;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An appeal nobody decides is deleted, with the appellant's contact and every joined statement, after
 * DUNBLOCK_APPEAL_PENDING_DAYS (here two seconds): it leaves the review queue, Redis holds nothing of it, and a new
 * appeal about the number opens a fresh one.
 */
class AppealExpiryIT {
  static final Duration PENDING = Duration.ofSeconds(2);
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.appealPending(PENDING));

  HttpResponse<Buffer> appeal(String number, String ip, String contact) {
    return app.api().post("/v1/appeals", new JsonObject().put("number", number).put("contact", contact)
        .put("reason", "my number").encode(), "Content-Type", "application/json", "X-Forwarded-For", ip);
  }

  @Test
  void anUndecidedAppealAndItsContactDataExpire() {
    String number = "+8613800138000";
    for (int i = 1; i <= 5; i++) {
      assertEquals(202, app.api().report(app.api().establishedToken(), "198.51." + i + ".23",
          new JsonObject().put("number", number).put("category", "THREAT")).statusCode());
    }
    String key = new KeyRegistry(redis.commands(), java.time.Clock.systemUTC())
        .create(Role.OPERATOR, "reviewer", "test").secret();
    HttpResponse<Buffer> filed = appeal(number, "192.0.2.10", "owner@example.com");
    assertEquals(202, filed.statusCode(), filed.bodyAsString());
    String id = filed.bodyAsJsonObject().getString("appealId");
    assertTrue(appeal(number, "203.0.113.9", "second@example.com").bodyAsJsonObject().getBoolean("joined"));
    assertTrue(redis.commands().exists(KeySchema.appeal(id)) == 1);

    waitUntil("the undecided appeal expired", Duration.ofSeconds(10),
        () -> redis.commands().exists(KeySchema.appeal(id)) == 0);
    HttpResponse<Buffer> pending = Api.await(app.api().request(HttpMethod.GET, "/v1/admin/appeals")
        .putHeader("Authorization", "Bearer " + key).send());
    assertEquals(0, pending.bodyAsJsonObject().getLong("total"), pending.bodyAsString());
    assertTrue(pending.bodyAsJsonObject().getJsonArray("appeals").isEmpty());
    assertFalse(redis.commands().keys("*").toString().contains("owner@example.com"));
    for (String k : redis.commands().keys("dunblock:{appeals}:*")) {
      if ("hash".equals(redis.commands().type(k))) {
        assertFalse(redis.commands().hgetall(k).toString().contains("@example.com"), k);
      }
    }

    HttpResponse<Buffer> decided = Api.await(app.api().request(HttpMethod.POST, "/v1/admin/appeals/" + id + "/decision")
        .putHeader("Authorization", "Bearer " + key).putHeader("Content-Type", "application/json")
        .sendBuffer(new JsonObject().put("decision", "allow").toBuffer()));
    assertEquals(404, decided.statusCode(), "an expired appeal can no longer be decided");

    HttpResponse<Buffer> again = appeal(number, "100.64.0.1", "owner@example.com");
    assertEquals(202, again.statusCode(), again.bodyAsString());
    assertFalse(again.bodyAsJsonObject().getBoolean("joined"), "a new appeal opens, the expired one is not joined");
  }
}
