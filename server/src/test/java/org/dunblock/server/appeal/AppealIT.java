package org.dunblock.server.appeal;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.store.ReputationStore;
import org.dunblock.server.store.StoreUnavailableException;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.ScriptKeyAudit;
import org.dunblock.server.testing.TwoServers;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Appeals: filed by anyone (rate-limited), listed and decided by operators, effective on every instance. */
@ExtendWith(VertxExtension.class)
class AppealIT {
  static final String ADMIN_KEY = "dbk_appeal-admin-key-0123456789abcdef";
  static final int PER_HOUR = 3;
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final ScriptKeyAudit audit = ScriptKeyAudit.of(redis);
  @RegisterExtension
  final TwoServers both = TwoServers.on(redis).with(c -> c.adminKey(ADMIN_KEY).appealsPerHour(PER_HOUR));
  String operatorKey;
  /** Reporter tokens and client addresses used in the test, which no appeal listing may show. */
  final List<String> secrets = new ArrayList<>();

  @BeforeEach
  void start() {
    operatorKey = new KeyRegistry(redis.commands(), java.time.Clock.systemUTC())
        .create(Role.OPERATOR, "appeal reviewer", "test").secret();
  }

  void crowdBlocks(String number) {
    for (int i = 1; i <= 5; i++) {
      String token = both.apiA().establishedToken();
      String ip = "198.51." + i + ".23";
      secrets.add(token);
      secrets.add(ip);
      secrets.add(both.a().tokens().reporterHash(token).orElseThrow());
      secrets.add(both.a().tokens().networkHash(ip(ip)));
      assertEquals(202, both.apiA().report(token, ip, new JsonObject().put("number", number)
          .put("category", "CONTACT_HARASSMENT").put("note", "calls my mother")).statusCode());
    }
    both.apiB().verdictWithin(number, "BLOCK");
  }

  static InetAddress ip(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  HttpResponse<Buffer> appeal(Api api, String number, String clientIp) {
    return api.post("/v1/appeals", new JsonObject().put("number", number).put("contact", "owner@example.com")
            .put("reason", "This is my shop's number; I am not a collector.").encode(),
        "Content-Type", "application/json", "X-Forwarded-For", clientIp);
  }

  HttpResponse<Buffer> list(String status) {
    return Api.await(both.apiB().request(HttpMethod.GET, "/v1/admin/appeals?status=" + status)
        .putHeader("Authorization", "Bearer " + operatorKey).send());
  }

  HttpResponse<Buffer> decide(Api api, String id, String decision, String note) {
    return Api.await(api.request(HttpMethod.POST, "/v1/admin/appeals/" + id + "/decision")
        .putHeader("Authorization", "Bearer " + operatorKey)
        .putHeader("Content-Type", "application/json").sendBuffer(new JsonObject().put("decision", decision).put("note", note).toBuffer()));
  }

  JsonArray audit() {
    return Api.await(both.apiB().request(HttpMethod.GET, "/v1/admin/audit")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).send()).bodyAsJsonObject().getJsonArray("entries");
  }

  @Test
  void allowedAppealPutsAnAllowOverrideInForceOnEveryInstanceAtOnce() {
    String number = "+8613800138000";
    crowdBlocks(number);
    HttpResponse<Buffer> filed = appeal(both.apiA(), "138 0013 8000", "192.0.2.10");
    assertEquals(202, filed.statusCode(), filed.bodyAsString());
    String id = filed.bodyAsJsonObject().getString("appealId");
    assertEquals("pending", filed.bodyAsJsonObject().getString("status"));
    assertEquals(number, filed.bodyAsJsonObject().getString("number"));

    HttpResponse<Buffer> pending = list("pending");
    assertEquals(200, pending.statusCode(), pending.bodyAsString());
    JsonObject listed = pending.bodyAsJsonObject().getJsonArray("appeals").getJsonObject(0);
    assertEquals(id, listed.getString("appealId"));
    assertEquals(number, listed.getString("number"));
    assertEquals("owner@example.com", listed.getString("contact"));
    assertEquals("This is my shop's number; I am not a collector.", listed.getString("reason"));
    assertNotNull(listed.getString("createdAt"));
    assertEquals("BLOCK", listed.getJsonObject("reputation").getString("verdict"));
    assertEquals(5, listed.getJsonObject("reputation").getLong("reporters"));

    HttpResponse<Buffer> decided = decide(both.apiA(), id, "allow", "Checked the business licence");
    assertEquals(200, decided.statusCode(), decided.bodyAsString());
    assertEquals("allowed", decided.bodyAsJsonObject().getString("status"));

    // Instance B within rule 1's second: Redis invalidated its cached copy of the record as the override was written.
    JsonObject onB = both.apiB().verdictWithin(number, "ALLOW");
    assertEquals("OPERATOR_OVERRIDE", onB.getJsonArray("reasons").getString(0));

    assertEquals(0, list("pending").bodyAsJsonObject().getJsonArray("appeals").size());
    JsonObject allowed = list("allowed").bodyAsJsonObject().getJsonArray("appeals").getJsonObject(0);
    assertEquals(id, allowed.getString("appealId"));
    assertEquals("Checked the business licence", allowed.getString("note"));
    assertEquals(decided.bodyAsJsonObject().getString("decidedBy"), allowed.getString("decidedBy"));

    JsonArray entries = audit();
    JsonObject decision = find(entries, "appeal.allow");
    assertEquals(id, decision.getString("target"));
    assertEquals(decided.bodyAsJsonObject().getString("decidedBy"), decision.getString("actor"));
    JsonObject override = find(entries, "override.set");
    assertEquals(number, override.getString("target"));
    assertEquals("appeal " + id + ": Checked the business licence", override.getString("reason"));
    assertEquals(decision.getString("actor"), override.getString("actor"));
  }

  @Test
  void rejectedAppealChangesNothingAndADecisionIsFinal() {
    String number = "+8613800138000";
    crowdBlocks(number);
    String id = appeal(both.apiA(), number, "192.0.2.10").bodyAsJsonObject().getString("appealId");
    HttpResponse<Buffer> rejected = decide(both.apiB(), id, "reject", "Many victims, consistent reports");
    assertEquals(200, rejected.statusCode(), rejected.bodyAsString());
    assertEquals("rejected", rejected.bodyAsJsonObject().getString("status"));
    assertEquals("BLOCK", both.apiA().lookup(number).getString("verdict"));
    assertEquals("appeal.reject", audit().getJsonObject(0).getString("action"));

    HttpResponse<Buffer> again = decide(both.apiA(), id, "allow", "changed my mind");
    assertEquals(409, again.statusCode());
    assertEquals("already_decided", again.bodyAsJsonObject().getString("error"));
    assertEquals("BLOCK", both.apiA().lookup(number).getString("verdict"), "a second decision has no effect");
    assertEquals(409, decide(both.apiA(), id, "reject", "").statusCode());
    assertEquals(id, list("rejected").bodyAsJsonObject().getJsonArray("appeals").getJsonObject(0)
        .getString("appealId"));

    assertEquals("no_appeal", decide(both.apiA(), "apl_000000000000000000000000", "allow", "")
        .bodyAsJsonObject().getString("error"));
    assertEquals("invalid_decision", decide(both.apiA(), id, "maybe", "").bodyAsJsonObject().getString("error"));
    assertEquals("invalid_status", list("open").bodyAsJsonObject().getString("error"));
  }

  @Test
  void appealsAreRateLimitedPerNetworkAndPerNumber() {
    String first = "+8613800138000";
    String second = "+8613900139000";
    crowdBlocks(first);
    crowdBlocks(second);
    // Per network: PER_HOUR filings from one /24, then 429 whatever the number.
    for (int i = 0; i < PER_HOUR; i++) {
      assertEquals(202, appeal(both.apiA(), i % 2 == 0 ? first : second, "192.0.2." + (10 + i)).statusCode());
    }
    HttpResponse<Buffer> limited = appeal(both.apiB(), second, "192.0.2.99");
    assertEquals(429, limited.statusCode(), limited.bodyAsString());
    assertEquals("rate_limited", limited.bodyAsJsonObject().getString("error"));
    int retryAfter = Integer.parseInt(limited.getHeader("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 3600, "Retry-After " + retryAfter);
    // One pending appeal per number: the later filings joined the first one about their number.
    assertEquals(2, list("pending").bodyAsJsonObject().getLong("total"));

    // Per number, new appeals only: each rejected appeal makes room for a new one, PER_HOUR an hour, then 429.
    String third = "+8613700137000";
    crowdBlocks(third);
    for (int i = 0; i < PER_HOUR; i++) {
      HttpResponse<Buffer> opened = appeal(both.apiA(), third, "203.0." + (113 + i) + ".1");
      assertEquals(202, opened.statusCode(), opened.bodyAsString());
      assertFalse(opened.bodyAsJsonObject().getBoolean("joined"));
      assertEquals(200, decide(both.apiA(), opened.bodyAsJsonObject().getString("appealId"), "reject", "junk")
          .statusCode());
    }
    HttpResponse<Buffer> numberLimited = appeal(both.apiA(), third, "100.64.7.1");
    assertEquals(429, numberLimited.statusCode(), numberLimited.bodyAsString());
    assertNotNull(numberLimited.getHeader("Retry-After"));
  }

  @Test
  void junkAppealsCannotLockTheOwnerOutTheirAppealIsJoined() {
    String number = "+8613800138000";
    crowdBlocks(number);
    // A vandal files more appeals about the number than the hourly limit, from as many networks.
    HttpResponse<Buffer> opened = both.apiA().post("/v1/appeals", new JsonObject().put("number", number)
            .put("contact", "x").put("reason", "junk 1").encode(),
        "Content-Type", "application/json", "X-Forwarded-For", "198.18.0.1");
    assertEquals(202, opened.statusCode(), opened.bodyAsString());
    String id = opened.bodyAsJsonObject().getString("appealId");
    for (int i = 2; i <= PER_HOUR + 2; i++) {
      HttpResponse<Buffer> junk = both.apiA().post("/v1/appeals", new JsonObject().put("number", number)
              .put("contact", "x").put("reason", "junk " + i).encode(),
          "Content-Type", "application/json", "X-Forwarded-For", "198.18." + i + ".1");
      assertEquals(202, junk.statusCode(), junk.bodyAsString());
      assertEquals(id, junk.bodyAsJsonObject().getString("appealId"));
      assertTrue(junk.bodyAsJsonObject().getBoolean("joined"));
    }
    // The owner is still heard: the statement joins the pending appeal the operator reviews.
    HttpResponse<Buffer> owner = appeal(both.apiB(), number, "192.0.2.10");
    assertEquals(202, owner.statusCode(), owner.bodyAsString());
    assertEquals(id, owner.bodyAsJsonObject().getString("appealId"));
    JsonObject body = list("pending").bodyAsJsonObject();
    assertEquals(1, body.getLong("total"));
    JsonArray further = body.getJsonArray("appeals").getJsonObject(0).getJsonArray("furtherStatements");
    assertEquals(PER_HOUR + 2, further.size());
    JsonObject last = further.getJsonObject(further.size() - 1);
    assertEquals("owner@example.com", last.getString("contact"));
    assertEquals("This is my shop's number; I am not a collector.", last.getString("reason"));

    // Bounded: an appeal takes MAX_STATEMENTS; past that a clear 409, and the appeal is unchanged.
    for (int i = further.size() + 2; i <= AppealStore.MAX_STATEMENTS; i++) {
      assertEquals(202, both.apiA().post("/v1/appeals", new JsonObject().put("number", number).put("contact", "y")
              .put("reason", "more " + i).encode(),
          "Content-Type", "application/json", "X-Forwarded-For", "100.64." + i + ".1").statusCode());
    }
    HttpResponse<Buffer> full = appeal(both.apiA(), number, "100.65.0.1");
    assertEquals(409, full.statusCode(), full.bodyAsString());
    assertEquals("appeal_full", full.bodyAsJsonObject().getString("error"));
    assertEquals(AppealStore.MAX_STATEMENTS - 1, list("pending").bodyAsJsonObject().getJsonArray("appeals")
        .getJsonObject(0).getJsonArray("furtherStatements").size());

    // Once decided, the next appeal about the number opens a new one.
    assertEquals(200, decide(both.apiA(), id, "reject", "junk").statusCode());
    HttpResponse<Buffer> next = appeal(both.apiA(), number, "100.66.0.1");
    assertEquals(202, next.statusCode(), next.bodyAsString());
    assertFalse(next.bodyAsJsonObject().getBoolean("joined"));
    assertFalse(id.equals(next.bodyAsJsonObject().getString("appealId")));
  }

  @Test
  void aFilingThatReadTheOpenAppealBeforeItMovedStillJoinsThePendingOne(Vertx vertx) {
    String number = "+8613800138000";
    crowdBlocks(number);
    HttpResponse<Buffer> opened = appeal(both.apiA(), number, "192.0.2.10");
    assertEquals(202, opened.statusCode(), opened.bodyAsString());
    String id = opened.bodyAsJsonObject().getString("appealId");
    ReputationStore store = ReputationStore.connect(vertx, Duration.ofSeconds(5), redis.url());
    try {
      AppealStore appeals = new AppealStore(store, PER_HOUR, Duration.ofDays(30), Duration.ofDays(30));
      long now = System.currentTimeMillis();
      // As if it had read the pointer just before the appeal above was opened: it found none.
      AppealStore.Filed late = Api.await(appeals.file("apl_late", number, "late@example.com", "mine too",
          "network-a", now, "", AppealStore.MAX_MOVES));
      assertEquals(AppealStore.Result.JOINED, late.result());
      assertEquals(id, late.id());
      // A filing that keeps losing that race is refused rather than opening a second appeal.
      Throwable refused = assertThrows(Throwable.class, () -> Api.await(appeals.file("apl_later", number,
          "later@example.com", "and me", "network-b", now, "", 0)));
      assertTrue(refused instanceof StoreUnavailableException
          || refused.getCause() instanceof StoreUnavailableException, String.valueOf(refused));
    } finally {
      store.close();
    }
    JsonObject body = list("pending").bodyAsJsonObject();
    assertEquals(1, body.getLong("total"));
    JsonArray further = body.getJsonArray("appeals").getJsonObject(0).getJsonArray("furtherStatements");
    assertEquals(1, further.size());
    assertEquals("late@example.com", further.getJsonObject(0).getString("contact"));
  }

  @Test
  void anOperatorCannotOverturnAnAdminsBlockByAllowingAnAppeal() {
    String number = "+8613800138000";
    HttpResponse<Buffer> blocked = Api.await(both.apiA().request(HttpMethod.PUT, "/v1/admin/overrides/" + number)
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "application/json")
        .sendBuffer(new JsonObject().put("verdict", "BLOCK").put("reason", "regulator's order 2026-117").toBuffer()));
    assertEquals(200, blocked.statusCode(), blocked.bodyAsString());
    String id = appeal(both.apiA(), number, "192.0.2.10").bodyAsJsonObject().getString("appealId");

    HttpResponse<Buffer> refused = decide(both.apiA(), id, "allow", "looks fine to me");
    assertEquals(403, refused.statusCode(), refused.bodyAsString());
    assertEquals("admin_decision", refused.bodyAsJsonObject().getString("error"));
    both.apiB().verdictWithin(number, "BLOCK");
    assertEquals(id, list("pending").bodyAsJsonObject().getJsonArray("appeals").getJsonObject(0)
        .getString("appealId"), "the appeal stays pending for an admin");

    // A reject by the operator is within its role; an admin may allow.
    HttpResponse<Buffer> byAdmin = Api.await(both.apiB().request(HttpMethod.POST, "/v1/admin/appeals/" + id
            + "/decision").putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .putHeader("Content-Type", "application/json")
        .sendBuffer(new JsonObject().put("decision", "allow").put("note", "order lifted").toBuffer()));
    assertEquals(200, byAdmin.statusCode(), byAdmin.bodyAsString());
    both.apiA().verdictWithin(number, "ALLOW");
  }

  @Test
  void anAdminsPrefixBlockAlsoStandsAgainstAnOperatorsAllow() {
    String number = "+8613800138000";
    HttpResponse<Buffer> blocked = Api.await(both.apiA().request(HttpMethod.PUT,
            "/v1/admin/overrides/prefixes/" + "+86138001")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY).putHeader("Content-Type", "application/json")
        .sendBuffer(new JsonObject().put("verdict", "BLOCK").put("reason", "collector's block of lines").toBuffer()));
    assertEquals(200, blocked.statusCode(), blocked.bodyAsString());
    waitUntil("the prefix reaches instance A", Duration.ofSeconds(1),
        () -> "BLOCK".equals(both.apiA().lookup(number).getString("verdict")));
    String id = appeal(both.apiA(), number, "192.0.2.10").bodyAsJsonObject().getString("appealId");
    HttpResponse<Buffer> refused = decide(both.apiA(), id, "allow", "");
    assertEquals(403, refused.statusCode(), refused.bodyAsString());
    assertEquals("admin_decision", refused.bodyAsJsonObject().getString("error"));
    both.apiB().verdictWithin(number, "BLOCK");
  }

  @Test
  void appealListingsNeverShowWhoReported() {
    String number = "+8613800138000";
    crowdBlocks(number);
    HttpResponse<Buffer> filed = appeal(both.apiA(), number, "192.0.2.10");
    assertEquals(202, filed.statusCode(), filed.bodyAsString());
    String id = filed.bodyAsJsonObject().getString("appealId");
    String pending = list("pending").bodyAsString();
    assertTrue(pending.contains(id), "the appeal is listed");
    assertEquals(200, decide(both.apiA(), id, "reject", "no").statusCode());
    String rejected = list("rejected").bodyAsString();
    assertTrue(rejected.contains(id), "the decided appeal is listed");
    assertFalse(secrets.isEmpty());
    for (String secret : secrets) {
      assertFalse(pending.contains(secret), "pending listing shows " + secret);
      assertFalse(rejected.contains(secret), "rejected listing shows " + secret);
    }
    assertFalse(pending.contains("192.0.2"), "nor the appellant's address");
    // The appellant's network is only a short-lived counter; the appeal itself stores no address or hash.
    Map<String, String> record = redis.commands().hgetall(AppealStore.appeal(id));
    assertFalse(record.isEmpty(), "the appeal is stored");
    String stored = record.toString();
    assertFalse(stored.contains(both.a().tokens().networkHash(ip("192.0.2.10"))), stored);
  }

  @Test
  void appealsNeedAVerdictToAppealAndTheirFields() {
    HttpResponse<Buffer> nothing = appeal(both.apiA(), "+8613700137000", "192.0.2.10");
    assertEquals(422, nothing.statusCode());
    assertEquals("nothing_to_appeal", nothing.bodyAsJsonObject().getString("error"));
    HttpResponse<Buffer> missing = both.apiA().post("/v1/appeals",
        new JsonObject().put("number", "13800138000").put("reason", "x").encode(), "Content-Type", "application/json");
    assertEquals("missing_field", missing.bodyAsJsonObject().getString("error"));
    HttpResponse<Buffer> bad = both.apiA().post("/v1/appeals", new JsonObject().put("number", "12").put("contact", "c")
        .put("reason", "r").encode(), "Content-Type", "application/json");
    assertEquals("invalid_number", bad.bodyAsJsonObject().getString("error"));
  }

  static JsonObject find(JsonArray entries, String action) {
    for (int i = 0; i < entries.size(); i++) {
      if (action.equals(entries.getJsonObject(i).getString("action"))) {
        return entries.getJsonObject(i);
      }
    }
    throw new AssertionError("no audit entry " + action + " in " + entries.encodePrettily());
  }
}
