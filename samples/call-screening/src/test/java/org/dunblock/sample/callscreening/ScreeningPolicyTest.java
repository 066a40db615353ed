package org.dunblock.sample.callscreening;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import android.telecom.CallScreeningService.CallResponse;
import org.dunblock.client.Verdict;
import org.dunblock.sample.callscreening.ScreeningPolicy.Decision;
import org.dunblock.sample.callscreening.ScreeningSettings.BlockAction;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;

/** Verdict and setting to what Android is told, in the Android 14 framework (Robolectric), no server. */
@RunWith(RobolectricTestRunner.class)
public class ScreeningPolicyTest {
  private static final ScreeningSettings SILENCE = ScreeningSettings.defaults();
  private static final ScreeningSettings REJECT = new ScreeningSettings(BlockAction.REJECT, false, true);

  @Test
  public void blockSilencesByDefaultAndRejectsWhenChosen() {
    assertEquals(Decision.SILENCE, ScreeningPolicy.decide(Verdict.BLOCK, false, SILENCE));
    assertEquals(Decision.REJECT, ScreeningPolicy.decide(Verdict.BLOCK, false, REJECT));
  }

  @Test
  public void warnRingsWithAWarningAndAllowRings() {
    assertEquals(Decision.ALLOW_WITH_WARNING, ScreeningPolicy.decide(Verdict.WARN, false, REJECT));
    assertEquals(Decision.ALLOW, ScreeningPolicy.decide(Verdict.ALLOW, false, REJECT));
  }

  @Test
  public void aFailedOpenAnswerAlwaysRings() {
    assertEquals(Decision.ALLOW, ScreeningPolicy.decide(Verdict.ALLOW, true, REJECT));
    assertEquals(Decision.ALLOW, ScreeningPolicy.decide(null, REJECT));
  }

  @Test
  public void theDefaultSettingIsSilence() {
    assertEquals(BlockAction.SILENCE, ScreeningSettings.read(RuntimeEnvironment.getApplication()).blockAction());
  }

  @Test
  public void rejectFollowsTheCallLogAndNotificationSettings() {
    CallResponse r = ScreeningPolicy.response(Decision.REJECT, REJECT);
    assertTrue(r.getDisallowCall());
    assertTrue(r.getRejectCall());
    assertFalse(r.getSkipCallLog());
    assertTrue(r.getSkipNotification());
  }

  @Test
  @Config(sdk = 34)
  public void silenceDoesNotDisallowTheCall() {
    CallResponse r = ScreeningPolicy.response(Decision.SILENCE, SILENCE);
    assertTrue(r.getSilenceCall());
    assertFalse(r.getDisallowCall());
  }

  @Test
  public void warnAndAllowLetTheCallRing() {
    for (Decision d : new Decision[] {Decision.ALLOW, Decision.ALLOW_WITH_WARNING}) {
      CallResponse r = ScreeningPolicy.response(d, SILENCE);
      assertFalse(r.getDisallowCall());
      assertFalse(r.getSilenceCall());
    }
  }
}
