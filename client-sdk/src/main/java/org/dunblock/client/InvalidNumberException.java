package org.dunblock.client;

import java.time.Duration;

/** The number is not a phone number the server (or the SDK's own check) accepts: {@code invalid_number}. */
public class InvalidNumberException extends DunblockException {
  private static final long serialVersionUID = 1L;

  public InvalidNumberException(String message, int status, String code, String requestId, Duration retryAfter, Throwable cause) {
    super(message, status, code, requestId, retryAfter, cause);
  }
}
