package org.dunblock.client;

import java.time.Duration;

/** No usable answer: connection refused, timeout, TLS or a malformed response. {@link #status()} is 0. */
public class TransportException extends DunblockException {
  private static final long serialVersionUID = 1L;

  public TransportException(String message, int status, String code, String requestId, Duration retryAfter, Throwable cause) {
    super(message, status, code, requestId, retryAfter, cause);
  }
}
