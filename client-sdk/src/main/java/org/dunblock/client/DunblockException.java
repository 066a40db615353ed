package org.dunblock.client;

import java.time.Duration;

/**
 * Base of every failure the SDK reports. Carries what the server said: the HTTP status (0 when no answer came),
 * the stable snake_case error code, and the request id to quote when asking for help (the SDK sends its own
 * {@code X-Request-Id}, so even a request that got no answer has one).
 */
public class DunblockException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String code;
  private final String requestId;
  private final Duration retryAfter;

  public DunblockException(String message, int status, String code, String requestId, Duration retryAfter,
      Throwable cause) {
    super(message, cause);
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }

  /** The HTTP status, or 0 when the server never answered. */
  public int status() {
    return status;
  }

  /** The server's error code (e.g. {@code invalid_number}), or an SDK code such as {@code transport}. */
  public String code() {
    return code;
  }

  /** The X-Request-Id of the failed request; may be null for failures before any request. */
  public String requestId() {
    return requestId;
  }

  /** How long the server asked us to wait (Retry-After), or null. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** True when the same request may succeed later (transport, 429, 5xx). */
  public boolean isRetryable() {
    // A TransportException is no answer of our server (no connection, a captive portal's page, a proxy's 403/407,
    // a 2xx that is not our JSON): nothing says retrying cannot help.
    return status == 0 || status == 429 || status >= 500 || this instanceof TransportException;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "{status=" + status + ", code=" + code + ", requestId=" + requestId
        + ", message=" + getMessage() + "}";
  }
}
