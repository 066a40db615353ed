package org.dunblock.client;

import java.time.Duration;

/** Any other 4xx: the request was refused as sent (e.g. {@code report_too_old}); retrying will not help. */
public class InvalidRequestException extends DunblockException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message, int status, String code, String requestId, Duration retryAfter, Throwable cause) {
    super(message, status, code, requestId, retryAfter, cause);
  }
}
