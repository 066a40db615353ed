package org.dunblock.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.security.MalformedRequests.Malformed;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RawHttp;
import org.dunblock.server.testing.Routes;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Ten thousand hostile requests over real HTTP to every route: each gets a 4xx JSON error or the right answer,
 * never a 5xx; the server lives on, and the stored data is exactly what it was.
 *
 * <p>One known exception to the JSON shape: a WebSocket upgrade is refused by Vert.x with a bare 400.
 *
 * <p>Excluded from the data comparison: rate-limit counters ({@code dunblock:rl:*}), which refused requests may
 * legitimately advance (token issuance per network counts every POST /v1/reporters).
 */
class BadInputIT {
  static final long SEED = 20261122L;
  static final int CORPUS = 10_000;
  static final int CONNECTIONS = 8;
  static final String ADMIN_KEY = "dbk_bad-input-admin-key-0123456789abcdef";
  static final Predicate<String> RATE_COUNTERS = key -> key.startsWith("dunblock:rl:");

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.adminKey(ADMIN_KEY));

  @Test
  void tenThousandMalformedRequestsGetClientErrorsAndChangeNothing() throws Exception {
    Api api = app.api();
    String token = seedData(api);
    List<String> paths = Routes.of(app.server()).entrySet().stream()
        .map(e -> e.getKey().substring(0, e.getKey().indexOf(' ')) + " " + e.getValue()).toList();
    List<Malformed> corpus = new MalformedRequests(SEED, token, paths, DunblockConfig.DEFAULT_MAX_BODY_BYTES)
        .generate(CORPUS);
    assertTrue(corpus.size() >= CORPUS);
    SortedMap<String, String> before = redis.snapshot(RATE_COUNTERS);
    JsonObject seededAnswer = api.lookup("13800138000");

    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    Map<Integer, Integer> statuses = Collections.synchronizedMap(new TreeMap<>());
    ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < CONNECTIONS; t++) {
        int slice = t;
        done.add(pool.submit(() -> {
          try (RawHttp http = new RawHttp(app.server().port(), 10_000)) {
            for (int i = slice; i < corpus.size(); i += CONNECTIONS) {
              Malformed m = corpus.get(i);
              RawHttp.Response response = http.exchange(m.bytes());
              statuses.merge(response.status(), 1, Integer::sum);
              String problem = check(m, response);
              if (problem != null) {
                failures.add("#" + i + " " + m.label() + ": " + problem);
              }
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    assertEquals(List.of(), failures.subList(0, Math.min(20, failures.size())),
        failures.size() + " of " + corpus.size() + " requests got a wrong answer; statuses " + statuses);
    assertEquals(200, api.get("/health").statusCode(), "the server lives");
    assertEquals(200, api.get("/ready").statusCode());
    assertEquals(before, redis.snapshot(RATE_COUNTERS), "stored data unchanged");
    assertEquals(seededAnswer, api.lookup("13800138000"));
    assertTrue(statuses.keySet().stream().allMatch(s -> s >= 200 && s < 500), "statuses " + statuses);
  }

  /** A few reports, an override and an appeal, so there is data that must survive; returns a genuine token. */
  static String seedData(Api api) {
    for (int i = 1; i <= 3; i++) {
      assertEquals(202, api.report(api.newToken(), "203.0." + i + ".7", new JsonObject()
          .put("number", "13800138000").put("category", "DEBT_COLLECTION").put("note", "seed " + i)).statusCode());
    }
    assertEquals(200, Api.await(api.request(io.vertx.core.http.HttpMethod.PUT, "/v1/admin/overrides/95588")
        .putHeader("Authorization", "Bearer " + ADMIN_KEY)
        .sendJsonObject(new JsonObject().put("verdict", "ALLOW").put("reason", "bank"))).statusCode());
    assertEquals(202, api.post("/v1/appeals", new JsonObject().put("number", "13800138000")
        .put("contact", "owner@example.org").put("reason", "my number").encode()).statusCode());
    return api.newToken();
  }

  /** Null when the answer is right for this request, else what is wrong with it. */
  static String check(Malformed m, RawHttp.Response response) {
    int status = response.status();
    if (status == -1) {
      return "connection closed without an answer";
    }
    if (status >= 500) {
      return status + " " + response.bodyText();
    }
    if (status >= 400 && m.label().equals("websocket upgrade")) {
      // Vert.x refuses upgrades itself, with a bare status: the one 4xx without a JSON body.
      return status == 400 ? null : "upgrade answered " + status;
    }
    if (status >= 400) {
      String type = String.valueOf(response.header("content-type"));
      if (!type.startsWith("application/json")) {
        return status + " with content type " + type;
      }
      JsonObject error;
      try {
        error = new JsonObject(response.bodyText());
      } catch (RuntimeException e) {
        return status + " with a body that is not a JSON object: " + response.bodyText();
      }
      if (!String.valueOf(error.getValue("error")).matches("[a-z_]+") || !(error.getValue("message") instanceof String)) {
        return status + " without the error shape: " + error.encode();
      }
    }
    String body = response.bodyText();
    if (status < 400 && (body.contains("root:") || body.contains("[extensions]"))) {
      return "a file outside the API was served";
    }
    return m.expectedNumbers() == null ? null : checkLookup(m, status, body);
  }

  /** Lookups have one right answer: the number's E.164 form, or invalid_number when the normaliser refuses it. */
  static String checkLookup(Malformed m, int status, String body) {
    List<String> expected = m.expectedNumbers();
    if (m.label().startsWith("GET")) {
      String want = expected.get(0);
      if (status == 200) {
        String got = new JsonObject(body).getString("number");
        return got.equals(want) ? null : "answered for " + got + ", expected " + want;
      }
      return want == null || status == 404 ? null : status + " for a number that is " + want + ": " + body;
    }
    if (status != 200) {
      return "batch refused: " + status + " " + body;
    }
    JsonArray results = new JsonObject(body).getJsonArray("results");
    for (int i = 0; i < expected.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      String want = expected.get(i);
      if (want == null ? !"invalid_number".equals(r.getString("error")) : !want.equals(r.getString("number"))) {
        return "results[" + i + "] = " + r.encode() + ", expected " + (want == null ? "invalid_number" : want);
      }
    }
    return null;
  }

}
