package org.dunblock.client;

import java.time.Duration;

/** 401/403: a missing, invalid or revoked reporter token or API key. */
public class UnauthorizedException extends DunblockException {
  private static final long serialVersionUID = 1L;

  public UnauthorizedException(String message, int status, String code, String requestId, Duration retryAfter, Throwable cause) {
    super(message, status, code, requestId, retryAfter, cause);
  }
}
