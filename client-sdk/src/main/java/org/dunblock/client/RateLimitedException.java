package org.dunblock.client;

import java.time.Duration;

/** 429 Too Many Requests: wait {@link #retryAfter()} before the next call. */
public class RateLimitedException extends DunblockException {
  private static final long serialVersionUID = 1L;

  public RateLimitedException(String message, int status, String code, String requestId, Duration retryAfter, Throwable cause) {
    super(message, status, code, requestId, retryAfter, cause);
  }
}
