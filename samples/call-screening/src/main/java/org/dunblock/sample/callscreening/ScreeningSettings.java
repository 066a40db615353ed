package org.dunblock.sample.callscreening;

import android.content.Context;
import android.content.SharedPreferences;

/**
 * What the user chose to happen to a blocked call. Kept in SharedPreferences; a settings screen writes it.
 */
public final class ScreeningSettings {
  static final String PREFS = "dunblock_screening";
  static final String KEY_BLOCK_ACTION = "block_action";
  static final String KEY_SKIP_CALL_LOG = "skip_call_log";
  static final String KEY_SKIP_NOTIFICATION = "skip_notification";

  /** What a BLOCK verdict does to the call. */
  public enum BlockAction {
    /**
     * The default. The call is let through but does not ring: the caller hears it ring on, as if nobody
     * answered, so a collector does not learn that the number is live and monitored. The call shows in the call
     * log as missed, so the user can still report or call back. Needs Android 10 (API 29).
     */
    SILENCE,
    /** The call is hung up at once (the caller hears it end or reach voicemail). */
    REJECT
  }

  private final BlockAction blockAction;
  private final boolean skipCallLog;
  private final boolean skipNotification;

  public ScreeningSettings(BlockAction blockAction, boolean skipCallLog, boolean skipNotification) {
    this.blockAction = blockAction;
    this.skipCallLog = skipCallLog;
    this.skipNotification = skipNotification;
  }

  /** Silence by default; a rejected call is kept in the call log and notified (the user can see what was cut). */
  public static ScreeningSettings defaults() {
    return new ScreeningSettings(BlockAction.SILENCE, false, false);
  }

  public static ScreeningSettings read(Context context) {
    SharedPreferences p = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE);
    BlockAction action = "reject".equals(p.getString(KEY_BLOCK_ACTION, "silence"))
        ? BlockAction.REJECT : BlockAction.SILENCE;
    return new ScreeningSettings(action, p.getBoolean(KEY_SKIP_CALL_LOG, false),
        p.getBoolean(KEY_SKIP_NOTIFICATION, false));
  }

  public void write(Context context) {
    context.getSharedPreferences(PREFS, Context.MODE_PRIVATE).edit()
        .putString(KEY_BLOCK_ACTION, blockAction == BlockAction.REJECT ? "reject" : "silence")
        .putBoolean(KEY_SKIP_CALL_LOG, skipCallLog)
        .putBoolean(KEY_SKIP_NOTIFICATION, skipNotification)
        .apply();
  }

  public BlockAction blockAction() {
    return blockAction;
  }

  /** For REJECT: leave the call out of the call log (then it cannot be reported from there later). */
  public boolean skipCallLog() {
    return skipCallLog;
  }

  /** For REJECT: no missed-call notification. */
  public boolean skipNotification() {
    return skipNotification;
  }
}
