package org.dunblock.sample.callscreening;

import android.content.Context;
import android.os.Looper;
import android.telephony.TelephonyManager;
import java.io.File;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.dunblock.client.DunblockClient;
import org.dunblock.client.DunblockClientOptions;

/**
 * The app's one {@link DunblockClient}. The SDK takes a file lock on its data dir, so an app makes exactly one
 * client and shares it between the screening service, the sync job and its activities (it is thread-safe).
 *
 * <p>Creating the client reads the local filter from disk (megabytes on a big list): never do it on the main
 * thread.
 */
public final class Dunblock {
  /** Where the sample app's server lives; a real app takes it from its build config. */
  public static final String DEFAULT_BASE_URL = "https://api.dunblock.example/";

  /**
   * The background thread that hands calls to the SDK (and makes the client on first use). Nothing slow runs
   * here: the SDK's network calls run on the SDK's own threads, and the sync job has its own thread.
   */
  static final ExecutorService BACKGROUND = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "dunblock-app");
    t.setDaemon(true);
    return t;
  });

  private static String baseUrl = DEFAULT_BASE_URL;
  private static DunblockClient client;

  private Dunblock() {
  }

  /** The shared client, created on first use. Call it off the main thread. */
  public static synchronized DunblockClient client(Context context) {
    if (client == null) {
      client = DunblockClient.create(options(context.getApplicationContext(), baseUrl));
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

  /** Points the app at another server; closes the current client (the next {@link #client} makes a new one). */
  public static synchronized void useServer(String url) {
    close();
    baseUrl = url;
  }

  /** Closes the shared client (releases its data-dir lock and threads). */
  public static synchronized void close() {
    if (client != null) {
      client.close();
      client = null;
    }
  }
}
