package org.dunblock.client;

import java.time.Duration;

/** A 5xx answer: the server failed or is unavailable ({@code store_unavailable} comes with {@link #retryAfter()}). */
public class ServerException extends DunblockException {
  private static final long serialVersionUID = 1L;

  public ServerException(String message, int status, String code, String requestId, Duration retryAfter, Throwable cause) {
    super(message, status, code, requestId, retryAfter, cause);
  }
}
