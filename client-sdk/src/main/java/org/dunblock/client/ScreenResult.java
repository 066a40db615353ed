package org.dunblock.client;

/**
 * The call-screening answer for one incoming number. {@link #verdict()} is always set: when the SDK could not
 * get a trustworthy answer in time it is {@link Verdict#ALLOW} with {@link #failedOpen()} true, so a call is never
 * blocked because the network was slow.
 */
public final class ScreenResult {
  /** Where the answer came from. */
  public enum Source {
    /** The local filter says nobody reported the number; no network was used. */
    LOCAL_FILTER,
    /** A server answer cached within its Cache-Control lifetime. */
    CACHE,
    /** The server, within the deadline. */
    SERVER,
    /** The server was slow, unreachable or failing; the call is allowed (see {@link #failure()}). */
    FAIL_OPEN,
    /** No caller number (withheld or empty): nothing to screen. */
    NO_NUMBER
  }

  private final String number;
  private final Verdict verdict;
  private final Source source;
  private final boolean possiblyListed;
  private final Reputation reputation;
  private final DunblockException failure;

  ScreenResult(String number, Verdict verdict, Source source, boolean possiblyListed, Reputation reputation,
      DunblockException failure) {
    this.number = number;
    this.verdict = verdict;
    this.source = source;
    this.possiblyListed = possiblyListed;
    this.reputation = reputation;
    this.failure = failure;
  }

  /** The E.164 form when the SDK could normalise the number, else the input. */
  public String number() {
    return number;
  }

  public Verdict verdict() {
    return verdict;
  }

  public Source source() {
    return source;
  }

  /** True when the answer is the fail-open default rather than a known verdict. */
  public boolean failedOpen() {
    return source == Source.FAIL_OPEN;
  }

  /**
   * True when the local filter holds the number (or there is no local filter yet): it may be listed. On a fail-open
   * answer an app may show a "possibly spam" hint without blocking.
   */
  public boolean possiblyListed() {
    return possiblyListed;
  }

  /** The server's answer (fresh or cached), or null for local and fail-open answers. */
  public Reputation reputation() {
    return reputation;
  }

  /** Why the answer failed open, or null. */
  public DunblockException failure() {
    return failure;
  }

  @Override
  public String toString() {
    return "ScreenResult{" + number + " " + verdict + " from " + source + (possiblyListed ? " possiblyListed" : "")
        + (failure != null ? " failure=" + failure : "") + "}";
  }
}
