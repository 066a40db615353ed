package org.dunblock.server.store;

/** Redis did not answer (down, timed out, or refusing commands while reconnecting). */
public final class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
