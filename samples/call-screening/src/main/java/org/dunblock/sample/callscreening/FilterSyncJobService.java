package org.dunblock.sample.callscreening;

import android.app.job.JobInfo;
import android.app.job.JobParameters;
import android.app.job.JobScheduler;
import android.app.job.JobService;
import android.content.ComponentName;
import android.content.Context;
import android.util.Log;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.dunblock.client.DunblockClient;

/**
 * Keeps the local filter current while the app is not open, and delivers reports queued while offline.
 * JobScheduler runs it about hourly when there is a network; a filter kept current lets most calls be answered
 * on the phone without asking the server.
 */
public class FilterSyncJobService extends JobService {
  static final int JOB_ID = 1601;
  static final long PERIOD_MILLIS = TimeUnit.HOURS.toMillis(1);
  static final long FLEX_MILLIS = TimeUnit.MINUTES.toMillis(15);
  private static final String TAG = "DunblockSync";
  /**
   * The job's own thread: a filter download can take a while, and a call that rings meanwhile must not wait
   * behind it on the app's {@code background} thread.
   */
  private static final ExecutorService SYNC = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "dunblock-sync-job");
    t.setDaemon(true);
    return t;
  });

  /** Schedules the periodic sync ({@link SampleApplication#onCreate}); scheduling again replaces the job. */
  public static void schedule(Context context) {
    JobInfo job = new JobInfo.Builder(JOB_ID, new ComponentName(context, FilterSyncJobService.class))
        .setRequiredNetworkType(JobInfo.NETWORK_TYPE_ANY)
        .setPeriodic(PERIOD_MILLIS, FLEX_MILLIS)
        .setPersisted(true) // survives a reboot (needs RECEIVE_BOOT_COMPLETED)
        .build();
    context.getSystemService(JobScheduler.class).schedule(job);
  }

  /** Main thread: start the work elsewhere and say it goes on ({@code true}). */
  @Override
  public boolean onStartJob(JobParameters params) {
    SYNC.execute(() -> {
      boolean retry = false;
      try {
        DunblockClient client = ((SampleApplication) getApplication()).dunblock();
        client.syncFilter();            // snapshot when needed, then the changes: small downloads
        client.deliverQueuedReports();  // oldest first; what still cannot go stays queued
      } catch (RuntimeException e) {
        // Network trouble, a server error: JobScheduler retries with its own back-off.
        Log.w(TAG, "sync failed, will retry", e);
        retry = true;
      }
      jobFinished(params, retry);
    });
    return true;
  }

  /** The constraints no longer hold (network lost): ask to be run again. */
  @Override
  public boolean onStopJob(JobParameters params) {
    return true;
  }
}
