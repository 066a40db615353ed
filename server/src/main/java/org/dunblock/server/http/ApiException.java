package org.dunblock.server.http;

/** A failure with a status and a snake_case code, rendered as the JSON error shape by {@link ErrorHandler}. */
public class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final long retryAfterSeconds;

  public ApiException(int status, String code, String message) {
    this(status, code, message, 0);
  }

  /** With {@code retryAfterSeconds} > 0 the answer carries a Retry-After header. */
  public ApiException(int status, String code, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }
}
