package org.dunblock.client;

/**
 * How the phone network verified the caller's number, as Android's
 * {@code Call.Details#getCallerNumberVerificationStatus()} gives it (API 30+). A report of a call whose number
 * {@link #FAILED} verification weighs less on the server: the number was probably spoofed.
 */
public enum CallerVerification {
  /** {@code Connection.VERIFICATION_STATUS_PASSED}. */
  PASSED,
  /** {@code Connection.VERIFICATION_STATUS_FAILED}: the number shown is probably not the caller's. */
  FAILED,
  /** {@code Connection.VERIFICATION_STATUS_NOT_VERIFIED}, and what the server assumes when a report says nothing. */
  NOT_VERIFIED;

  /**
   * The verification for one of Android's {@code Connection.VERIFICATION_STATUS_*} values (0 not verified, 1
   * passed, 2 failed); any other value is {@link #NOT_VERIFIED}.
   */
  public static CallerVerification fromAndroidStatus(int status) {
    return status == 1 ? PASSED : status == 2 ? FAILED : NOT_VERIFIED;
  }
}
