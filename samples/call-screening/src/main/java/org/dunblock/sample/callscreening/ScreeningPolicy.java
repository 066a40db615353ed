package org.dunblock.sample.callscreening;

import android.os.Build;
import android.telecom.CallScreeningService.CallResponse;
import org.dunblock.client.ScreenResult;
import org.dunblock.client.Verdict;

/** What the app does with a call, per the SDK's verdict and the user's settings. No I/O. */
public final class ScreeningPolicy {
  /** What happens to the call. */
  public enum Decision {
    /** Ring normally. */
    ALLOW,
    /** Ring, and show a "reported by other users" notification. */
    ALLOW_WITH_WARNING,
    /** Let it through without ringing (the caller does not learn the line is live). */
    SILENCE,
    /** Hang up. */
    REJECT
  }

  private ScreeningPolicy() {
  }

  /**
   * The decision for a verdict. A fail-open answer (server slow, unreachable or failing) is ALLOW with
   * {@code failedOpen}: it rings, never blocked because of the network. A verdict from a newer server that this
   * SDK does not know arrives as WARN (the SDK's rule), so it rings with a warning.
   */
  public static Decision decide(Verdict verdict, boolean failedOpen, ScreeningSettings settings) {
    if (failedOpen || verdict == null) {
      return Decision.ALLOW;
    }
    switch (verdict) {
      case BLOCK:
        return settings.blockAction() == ScreeningSettings.BlockAction.REJECT ? Decision.REJECT : Decision.SILENCE;
      case WARN:
        return Decision.ALLOW_WITH_WARNING;
      default:
        return Decision.ALLOW;
    }
  }

  public static Decision decide(ScreenResult result, ScreeningSettings settings) {
    return result == null ? Decision.ALLOW : decide(result.verdict(), result.failedOpen(), settings);
  }

  /** The response Android gets for a decision. */
  public static CallResponse response(Decision decision, ScreeningSettings settings) {
    CallResponse.Builder b = new CallResponse.Builder();
    switch (decision) {
      case REJECT:
        return b.setDisallowCall(true)
            .setRejectCall(true)
            .setSkipCallLog(settings.skipCallLog())
            .setSkipNotification(settings.skipNotification())
            .build();
      case SILENCE:
        if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q) {
          // Not disallowed: the call stays in the call log (as missed), without ringing.
          return b.setSilenceCall(true).build();
        }
        // Silencing needs Android 10; before it the only way not to ring is to disallow the call.
        return b.setDisallowCall(true).setRejectCall(false).build();
      default:
        // ALLOW and ALLOW_WITH_WARNING: the call rings; the warning is a notification of the app's own.
        return b.setDisallowCall(false).build();
    }
  }
}
