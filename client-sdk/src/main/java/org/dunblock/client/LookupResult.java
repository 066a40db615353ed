package org.dunblock.client;

/** One slot of a batch lookup: a {@link Reputation}, or the error for that input (e.g. invalid_number). */
public final class LookupResult {
  private final String input;
  private final Reputation reputation;
  private final String errorCode;
  private final String errorMessage;

  LookupResult(String input, Reputation reputation, String errorCode, String errorMessage) {
    this.input = input;
    this.reputation = reputation;
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
  }

  /** The number as it was given. */
  public String input() {
    return input;
  }

  /** The answer, or null when this input had an error. */
  public Reputation reputation() {
    return reputation;
  }

  public boolean ok() {
    return reputation != null;
  }

  public String errorCode() {
    return errorCode;
  }

  public String errorMessage() {
    return errorMessage;
  }

  @Override
  public String toString() {
    return ok() ? reputation.toString() : "LookupResult{" + input + " error=" + errorCode + "}";
  }
}
