package org.dunblock.sample.callscreening;

import android.app.Notification;
import android.app.NotificationChannel;
import android.app.NotificationManager;
import android.content.Context;
import org.dunblock.client.ScreenResult;

/** The "reported by other users" notification shown while a WARN call rings. */
final class Warnings {
  static final String CHANNEL = "dunblock_warnings";
  static final int NOTIFICATION_ID = 16;

  private Warnings() {
  }

  static void show(Context context, ScreenResult result) {
    NotificationManager nm = context.getSystemService(NotificationManager.class);
    if (nm == null) {
      return;
    }
    // Channels exist from API 26, the SDK's minimum; creating an existing one again is a no-op.
    nm.createNotificationChannel(new NotificationChannel(CHANNEL, "Suspicious callers",
        NotificationManager.IMPORTANCE_HIGH));
    long reporters = result.reputation() == null ? 0 : result.reputation().reporters();
    Notification n = new Notification.Builder(context, CHANNEL)
        .setSmallIcon(android.R.drawable.stat_sys_warning)
        .setContentTitle("Possibly a debt collector or harasser")
        .setContentText(result.number() + (reporters > 0 ? ": reported by " + reporters + " people" : ": reported"))
        .setCategory(Notification.CATEGORY_CALL)
        .build();
    nm.notify(NOTIFICATION_ID, n);
  }
}
