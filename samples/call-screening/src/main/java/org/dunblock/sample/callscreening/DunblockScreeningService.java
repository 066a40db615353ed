package org.dunblock.sample.callscreening;

import android.net.Uri;
import android.os.Build;
import android.telecom.Call;
import android.telecom.CallScreeningService;
import android.telecom.TelecomManager;
import android.util.Log;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dunblock.client.ScreenResult;

/**
 * Screens incoming calls with Dunblock. Android binds this service for every incoming call once the user has
 * made the app the call-screening app ({@code RoleManager.ROLE_CALL_SCREENING}, API 29+).
 *
 * <p><b>Threading.</b> {@link #onScreenCall} runs on the main thread. It must return at once and must never
 * touch the network there (Android would throw, and a slow answer would hold the ringing call). So it hands the
 * call to a background thread and returns; the answer goes to {@link #respondToCall} from whichever thread
 * finishes, which Android allows. The SDK's {@code screenAsync} completes by its screen deadline (1.5 s by
 * default) whatever the network does, well within the 5 s Android waits for a screening app; if the server is
 * slow or unreachable the answer is ALLOW (fail open): a call is never blocked because the network was slow.
 *
 * <p><b>Exactly one answer per call.</b> Whatever fails, the call gets a response: a missing response leaves
 * Android waiting for the timeout, and the phone rings late.
 */
public class DunblockScreeningService extends CallScreeningService {
  private static final String TAG = "DunblockScreening";

  @Override
  public void onScreenCall(Call.Details details) {
    // Main thread: only read the details and hand them on.
    if (Build.VERSION.SDK_INT >= Build.VERSION_CODES.Q
        && details.getCallDirection() != Call.Details.DIRECTION_INCOMING) {
      // Outgoing calls are the user's own: nothing to screen.
      respondToCall(details, ScreeningPolicy.response(ScreeningPolicy.Decision.ALLOW, ScreeningSettings.defaults()));
      return;
    }
    String number = numberOf(details);
    AtomicBoolean answered = new AtomicBoolean();
    try {
      ((SampleApplication) getApplication()).background.execute(() -> screen(details, number, answered));
    } catch (RejectedExecutionException e) {
      answer(details, null, answered);
    }
  }

  /** Background thread: ask the SDK, answer when it does. */
  private void screen(Call.Details details, String number, AtomicBoolean answered) {
    try {
      if (number == null) {
        answer(details, null, answered); // withheld number: nothing to look up
        return;
      }
      // Normalises the number, probes the local filter (microseconds) and, on a hit, asks the server
      // privately (a hash prefix, not the number). The future completes by the deadline, never exceptionally
      // for network trouble.
      ((SampleApplication) getApplication()).dunblock().screenAsync(number)
          .whenComplete((result, error) -> answer(details, error == null ? result : null, answered));
    } catch (RuntimeException e) {
      // E.g. the data dir could not be opened: fail open.
      Log.w(TAG, "screening failed, allowing the call", e);
      answer(details, null, answered);
    }
  }

  private void answer(Call.Details details, ScreenResult result, AtomicBoolean answered) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    ScreeningSettings settings = ScreeningSettings.read(this);
    ScreeningPolicy.Decision decision = ScreeningPolicy.decide(result, settings);
    if (result != null && result.failedOpen()) {
      Log.i(TAG, "failed open: " + result.failure());
    }
    respondToCall(details, ScreeningPolicy.response(decision, settings));
    if (decision == ScreeningPolicy.Decision.ALLOW_WITH_WARNING) {
      Warnings.show(this, result);
    }
  }

  /** The caller's number from the call's handle ({@code tel:+8613800138000}), or null when withheld. */
  static String numberOf(Call.Details details) {
    Uri handle = details.getHandle();
    if (handle == null || details.getHandlePresentation() != TelecomManager.PRESENTATION_ALLOWED) {
      return null;
    }
    String number = handle.getSchemeSpecificPart();
    return number == null || number.trim().isEmpty() ? null : number;
  }
}
