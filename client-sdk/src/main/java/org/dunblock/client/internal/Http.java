package org.dunblock.client.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.dunblock.client.DunblockClientOptions;
import org.dunblock.client.DunblockException;
import org.dunblock.client.InvalidNumberException;
import org.dunblock.client.InvalidRequestException;
import org.dunblock.client.RateLimitedException;
import org.dunblock.client.ServerException;
import org.dunblock.client.TransportException;
import org.dunblock.client.UnauthorizedException;
import org.json.JSONException;
import org.json.JSONObject;

/** The SDK's HTTP: one OkHttpClient, request ids on every call, and server errors turned into typed exceptions. */
public final class Http {
  public static final String REQUEST_ID = "X-Request-Id";
  static final String USER_AGENT = "dunblock-client-sdk/1";

  /** A complete answer. */
  public static final class Answer {
    public final int status;
    public final Headers headers;
    public final byte[] body;
    public final String requestId;

    Answer(int status, Headers headers, byte[] body, String requestId) {
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.requestId = requestId;
    }

    public JSONObject json() {
      try {
        return new JSONObject(new String(body, java.nio.charset.StandardCharsets.UTF_8));
      } catch (JSONException e) {
        throw new TransportException("The server's answer is not JSON", status, "malformed_response", requestId,
            null, e);
      }
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  private final OkHttpClient client;
  private final HttpUrl base;
  private final String apiKey;

  public Http(DunblockClientOptions options) {
    OkHttpClient shared = options.httpClient() != null ? options.httpClient() : new OkHttpClient();
    this.client = shared.newBuilder()
        .connectTimeout(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .readTimeout(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .writeTimeout(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .build();
    this.base = options.baseUrl();
    this.apiKey = options.apiKey();
  }

  public OkHttpClient client() {
    return client;
  }

  /** The URL of an API path such as {@code v1/filter}, below the base URL. */
  public HttpUrl.Builder url(String path) {
    return base.newBuilder().addPathSegments(path);
  }

  /** A request with the SDK's headers and a fresh request id. */
  public Request.Builder request(HttpUrl url) {
    Request.Builder b = new Request.Builder().url(url)
        .header(REQUEST_ID, newRequestId())
        .header("User-Agent", USER_AGENT)
        .header("Accept", "application/json");
    if (apiKey != null) {
      b.header("X-Api-Key", apiKey);
    }
    return b;
  }

  static String newRequestId() {
    return "sdk-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  /** Sends and returns any answer; only transport failures throw. {@code deadline} null means no overall limit. */
  public Answer exchange(Request request, Duration deadline) {
    Call call = client.newCall(request);
    if (deadline != null) {
      call.timeout().timeout(Math.max(1, deadline.toMillis()), TimeUnit.MILLISECONDS);
    }
    String requestId = request.header(REQUEST_ID);
    try (Response response = call.execute()) {
      ResponseBody body = response.body();
      byte[] bytes = body == null ? new byte[0] : body.bytes();
      String echoed = response.header(REQUEST_ID);
      return new Answer(response.code(), response.headers(), bytes, echoed != null ? echoed : requestId);
    } catch (InterruptedIOException e) {
      throw new TransportException("No answer in time from " + request.url().host(), 0, "timeout", requestId, null,
          e);
    } catch (IOException e) {
      throw new TransportException("Cannot reach " + request.url().host() + ": " + e.getMessage(), 0, "transport",
          requestId, null, e);
    }
  }

  /** Sends and returns a 2xx answer; every other status becomes its typed exception. */
  public Answer call(Request request, Duration deadline) {
    Answer answer = exchange(request, deadline);
    if (answer.status >= 200 && answer.status < 300) {
      return answer;
    }
    throw error(answer);
  }

  /**
   * The typed exception for a non-2xx answer. Only an answer in our server's error shape (a JSON object with an
   * {@code error} code) is taken as the server's word: a proxy's 403/407 page, a captive portal's login page or any
   * other non-JSON 4xx becomes a {@link TransportException}, which is retryable, so a queued report stays queued.
   */
  public static DunblockException error(Answer answer) {
    String code = "http_" + answer.status;
    String message = "HTTP " + answer.status;
    boolean ours = false;
    try {
      JSONObject json = new JSONObject(new String(answer.body, java.nio.charset.StandardCharsets.UTF_8));
      ours = json.opt("error") instanceof String;
      code = json.optString("error", code);
      message = json.optString("message", message);
    } catch (JSONException e) {
      // Not our JSON (a proxy's or a portal's page): keep the status-based code.
    }
    Duration retryAfter = retryAfter(answer.header("Retry-After"));
    int s = answer.status;
    String id = answer.requestId;
    if (s == 429) {
      return new RateLimitedException(message, s, code, id, retryAfter, null);
    }
    if (s >= 500) {
      return new ServerException(message, s, code, id, retryAfter, null);
    }
    if (!ours || s == 407 || s == 408) {
      return new TransportException("Not an answer of the Dunblock server (HTTP " + s + ")", s, code, id, retryAfter,
          null);
    }
    if (s == 401 || s == 403) {
      return new UnauthorizedException(message, s, code, id, retryAfter, null);
    }
    if (s == 400 && "invalid_number".equals(code)) {
      return new InvalidNumberException(message, s, code, id, retryAfter, null);
    }
    if (s >= 400) {
      return new InvalidRequestException(message, s, code, id, retryAfter, null);
    }
    return new TransportException("Unexpected HTTP " + s, s, code, id, retryAfter, null);
  }

  static Duration retryAfter(String header) {
    if (header == null) {
      return null;
    }
    try {
      long seconds = Long.parseLong(header.trim());
      return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
    } catch (NumberFormatException e) {
      return null; // HTTP-date form: not used by Dunblock
    }
  }
}
