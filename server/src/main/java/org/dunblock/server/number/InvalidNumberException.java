package org.dunblock.server.number;

/**
 * A phone number, region or prefix that cannot be used, with the snake_case code a client sees
 * ({@code invalid_number}, {@code invalid_region}, {@code invalid_prefix}). The HTTP edge answers it with 400.
 */
public final class InvalidNumberException extends RuntimeException {
  private final String code;

  public InvalidNumberException(String code, String message) {
    // No stack trace: thrown for every bad input, on the event loop, and never a bug of ours.
    super(message, null, false, false);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
