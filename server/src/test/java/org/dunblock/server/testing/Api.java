package org.dunblock.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/** Real HTTP against a server under test, with the few calls every test needs. Call from the test thread. */
public final class Api {
  private final WebClient client;

  public Api(Vertx vertx, int port) {
    this(vertx, port, true);
  }

  /** Without keep-alive every request gets its own connection: for tests after which the server closes one. */
  public Api(Vertx vertx, int port, boolean keepAlive) {
    this.client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(keepAlive));
  }

  public HttpRequest<Buffer> request(HttpMethod method, String path) {
    return client.request(method, path);
  }

  public HttpResponse<Buffer> get(String path) {
    return await(client.get(path).send());
  }

  public HttpResponse<Buffer> post(String path, String body, String... headers) {
    HttpRequest<Buffer> request = client.post(path);
    if (body != null) {
      // JSON unless the caller names another type (DESIGN.md: JSON bodies say application/json).
      request.putHeader("Content-Type", "application/json");
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return await(body == null ? request.send() : request.sendBuffer(Buffer.buffer(body)));
  }

  public String newToken() {
    HttpResponse<Buffer> response = post("/v1/reporters", null);
    if (response.statusCode() != 201) {
      throw new AssertionError("token request failed: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject().getString("token");
  }

  /**
   * A token minted eight days ago with the test secret, as an app installed last week holds it: an established
   * reporter, whose votes weigh fully (DESIGN.md rule 4). {@link #newToken} is a fresh one, weighing a fraction.
   */
  public String establishedToken() {
    return TestTokens.established();
  }

  /** Reports as a new reporter from the given client address (believed because loopback is a trusted proxy). */
  public HttpResponse<Buffer> report(String token, String clientIp, JsonObject body, String... headers) {
    String[] all = new String[headers.length + 4];
    all[0] = "Authorization";
    all[1] = "Bearer " + token;
    all[2] = "X-Forwarded-For";
    all[3] = clientIp;
    System.arraycopy(headers, 0, all, 4, headers.length);
    return post("/v1/reports", body.encode(), all);
  }

  /** A report's 202 after retries: when the attempt that succeeded was sent, and how many were refused before. */
  public record Acknowledged(long sentNanos, int refusals) {
  }

  /**
   * Reports, retrying refusals (503 from the server, 502 from a load balancer, no answer) with the same
   * Idempotency-Key for up to 30 s, as the client SDK does; any other answer than 202 fails the test.
   */
  public Acknowledged reportUntilAcknowledged(String token, String clientIp, JsonObject body, String key) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int refusals = 0;
    while (true) {
      long sent = System.nanoTime();
      try {
        HttpResponse<Buffer> response = report(token, clientIp, body, "Idempotency-Key", key);
        if (response.statusCode() == 202) {
          return new Acknowledged(sent, refusals);
        }
        if (response.statusCode() != 502 && response.statusCode() != 503) {
          throw new AssertionError("report refused: " + response.statusCode() + " " + response.bodyAsString());
        }
      } catch (AssertionError e) {
        if (e.getMessage() == null || !e.getMessage().startsWith("no answer")) {
          throw e;
        }
      }
      refusals++;
      if (System.nanoTime() > deadline) {
        throw new AssertionError("report of " + body.getString("number") + " not acknowledged within 30 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
  }

  /** DESIGN.md rule 1: how long a write through one instance may take to reach every instance's answers. */
  public static final Duration RULE_ONE = Duration.ofSeconds(1);

  public JsonObject lookup(String number) {
    HttpResponse<Buffer> response = get("/v1/numbers/" + number);
    if (response.statusCode() != 200) {
      throw new AssertionError("lookup failed: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  /**
   * The answer for {@code number} once it is what {@code expected} accepts, asked again for up to {@link #RULE_ONE}:
   * a write through one instance reaches every instance's answers within a second (DESIGN.md rule 1; the filter
   * follows the change streams, the near cache Redis's invalidations), so a test reading one instance right after
   * writing through another may see the answer of a moment before. Fails with the last answer otherwise.
   */
  public JsonObject lookupWithin(String number, String what, Predicate<JsonObject> expected) {
    long deadline = System.nanoTime() + RULE_ONE.toNanos();
    JsonObject answer = lookup(number);
    while (!expected.test(answer)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + RULE_ONE.toMillis() + " ms (rule 1): " + what + "; last answer "
            + answer.encode());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      answer = lookup(number);
    }
    return answer;
  }

  /** {@link #lookupWithin} for a verdict. */
  public JsonObject verdictWithin(String number, String verdict) {
    return lookupWithin(number, number + " answers " + verdict, a -> verdict.equals(a.getString("verdict")));
  }

  /**
   * A lookup that was not degraded: a degraded answer (Redis slower than the lookup timeout, e.g. on a busy
   * machine, or during a failover) says nothing about what is stored, so it is asked again, for up to 10 s.
   */
  public JsonObject settledLookup(String number) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    JsonObject answer = lookup(number);
    while (answer.getBoolean("degraded", false) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      answer = lookup(number);
    }
    return answer;
  }

  public void close() {
    client.close();
  }

  public static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 10 s", e);
    }
  }
}
