package org.dunblock.sample.callscreening;

import android.app.Application;
import android.content.Context;
import android.os.Looper;
import android.telephony.TelephonyManager;
import java.io.File;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.dunblock.client.DunblockClient;
import org.dunblock.client.DunblockClientOptions;

/**
 * The app: owns its one {@link DunblockClient}. The SDK takes a file lock on its data dir, so an app makes
 * exactly one client and shares it between the screening service, the sync job and its activities (it is
 * thread-safe). Components reach it through {@code (SampleApplication) getApplication()}.
 *
 * <p>Making the client reads the local filter from disk (megabytes on a big list): never on the main thread.
 */
public class SampleApplication extends Application {
  /** Where the sample's server lives; a real app takes it from its build config. */
  public static final String DEFAULT_BASE_URL = "https://api.dunblock.example/";

  /**
   * The background thread that hands calls to the SDK (and makes the client on first use). Nothing slow runs
   * here: the SDK's network calls run on the SDK's own threads, and the sync job has its own thread.
   */
  final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "dunblock-app");
    t.setDaemon(true);
    return t;
  });

  private String baseUrl = DEFAULT_BASE_URL;
  private DunblockClient client;

  @Override
  public void onCreate() {
    super.onCreate();
    // Keeps the filter current while the app is not open; scheduling again replaces the job.
    FilterSyncJobService.schedule(this);
  }

  /** The shared client, made on first use. Call it off the main thread. */
  public synchronized DunblockClient dunblock() {
    if (client == null) {
      client = DunblockClient.create(options(this, baseUrl));
    }
    return client;
  }

  /** The options an Android app should use: the directories, the region and the main-thread guard. */
  public static DunblockClientOptions options(Context context, String baseUrl) {
    TelephonyManager telephony = context.getSystemService(TelephonyManager.class);
    return DunblockClientOptions.builder()
        .baseUrl(baseUrl)
        // The reporter token and queued reports must survive low storage: never getCacheDir() for these.
        .dataDir(new File(context.getNoBackupFilesDir(), "dunblock"))
        // The filter may be wiped by Android; the SDK downloads it again.
        .cacheDir(new File(context.getCacheDir(), "dunblock"))
        // "cn", "" or null are all fine: the SDK accepts any case and falls back when blank.
        .defaultRegion(telephony == null ? null : telephony.getNetworkCountryIso())
        // If someone calls the blocking screen() on the main thread anyway, it answers locally instead of
        // waiting for the network (Android would throw NetworkOnMainThreadException).
        .mustNotBlock(() -> Looper.myLooper() == Looper.getMainLooper())
        .build();
  }

  /** Points the app at another server (a debug setting); the next {@link #dunblock()} makes a new client. */
  public synchronized void useServer(String url) {
    closeDunblock();
    baseUrl = url;
  }

  /** Closes the client: its data-dir lock and threads are released (queued reports stay on disk). */
  public synchronized void closeDunblock() {
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
