package org.dunblock.sample.callscreening;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.app.Notification;
import android.app.NotificationManager;
import android.app.job.JobInfo;
import android.app.job.JobParameters;
import android.app.job.JobScheduler;
import android.database.MatrixCursor;
import android.net.Uri;
import android.provider.CallLog;
import android.telecom.Call;
import android.telecom.CallScreeningService.CallResponse;
import android.telecom.TelecomManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dunblock.client.Category;
import org.dunblock.client.DunblockClient;
import org.dunblock.client.ReportReceipt;
import org.json.JSONObject;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.annotation.Config;
import org.robolectric.shadow.api.Shadow;
import org.robolectric.shadows.ShadowCallScreeningService;
import org.robolectric.shadows.ShadowJobService;

/**
 * The sample's Android components in Robolectric (the Android 14 framework on the JVM), against the real
 * Dunblock server jar with its real redis-server: what a user's phone does with a call.
 */
@RunWith(RobolectricTestRunner.class)
@Config(application = SampleApplication.class)
public class DunblockScreeningServiceIT {
  /** A Chinese mobile number, as the phone shows it in the call's handle. */
  private static final String LISTED = "+8613800138001";
  private static final String UNLISTED = "+8613900139002";
  private static final String WARNED = "+8613500135005";

  private static RunningDunblock server;
  private SampleApplication app;

  @BeforeClass
  public static void startServer() throws Exception {
    server = RunningDunblock.start();
    server.block(LISTED);
    assertEquals("WARN", server.reportByThreeNewReporters(WARNED));
  }

  @AfterClass
  public static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Before
  public void useTheServer() {
    app = (SampleApplication) RuntimeEnvironment.getApplication();
    app.useServer(server.url());
  }

  @After
  public void closeClient() {
    app.closeDunblock();
  }

  @Test
  public void aNumberTheServerBlocksIsSilencedByDefault() {
    CallResponse r = screen(LISTED);

    assertTrue("silenced", r.getSilenceCall());
    assertFalse("not disallowed: the caller is not told the line is live", r.getDisallowCall());
    assertFalse(r.getRejectCall());
  }

  @Test
  public void aNumberTheServerBlocksIsRejectedWhenTheUserChoseReject() {
    new ScreeningSettings(ScreeningSettings.BlockAction.REJECT, true, true).write(app);

    CallResponse r = screen(LISTED);

    assertTrue(r.getDisallowCall());
    assertTrue(r.getRejectCall());
    assertTrue("per the setting", r.getSkipCallLog());
    assertTrue("per the setting", r.getSkipNotification());
    assertFalse(r.getSilenceCall());
  }

  @Test
  public void aRejectedCallStaysInTheCallLogUnlessTheUserSaysOtherwise() {
    new ScreeningSettings(ScreeningSettings.BlockAction.REJECT, false, false).write(app);

    CallResponse r = screen(LISTED);

    assertTrue(r.getRejectCall());
    assertFalse(r.getSkipCallLog());
    assertFalse(r.getSkipNotification());
  }

  @Test
  public void aNumberNobodyReportedRings() {
    CallResponse r = screen(UNLISTED);

    assertFalse(r.getDisallowCall());
    assertFalse(r.getSilenceCall());
    assertNoWarning();
  }

  @Test
  public void aNumberTheCrowdWarnsAboutRingsWithAWarning() {
    CallResponse r = screen(WARNED);

    assertFalse(r.getDisallowCall());
    assertFalse(r.getSilenceCall());
    // Posted right after the answer (the answer goes first: the call must not wait for the notification).
    NotificationManager nm = app.getSystemService(NotificationManager.class);
    Polling.waitUntil("the warning", 5_000, () -> shadowOf(nm).getNotification(Warnings.NOTIFICATION_ID) != null);
    Notification warning = shadowOf(nm).getNotification(Warnings.NOTIFICATION_ID);
    assertTrue(shadowOf(warning).getContentText().toString().startsWith(WARNED));
  }

  @Test
  public void aNationalFormatNumberIsScreenedLikeItsE164Form() {
    // The phone may show a national number; the SDK normalises it in the network's region (CN by default).
    CallResponse r = screen("13800138001");

    assertTrue(r.getSilenceCall());
  }

  @Test
  public void aWithheldNumberRings() {
    DunblockScreeningService service = Robolectric.setupService(DunblockScreeningService.class);
    service.onScreenCall(details(null, TelecomManager.PRESENTATION_RESTRICTED));

    CallResponse r = awaitResponse(service);
    assertFalse(r.getDisallowCall());
    assertFalse(r.getSilenceCall());
  }

  @Test
  public void anUnreachableServerLetsTheCallRing() {
    app.useServer("http://127.0.0.1:" + RunningDunblock.freePort() + "/");

    CallResponse r = screen(LISTED);

    assertFalse("fail open", r.getDisallowCall());
    assertFalse(r.getSilenceCall());
  }

  @Test
  public void aServerThatNeverAnswersIsCutOffByTheDeadlineAndTheCallRings() throws IOException {
    try (SilentServer silent = new SilentServer()) {
      app.useServer("http://127.0.0.1:" + silent.port() + "/");
      DunblockScreeningService service = Robolectric.setupService(DunblockScreeningService.class);

      service.onScreenCall(details(LISTED, TelecomManager.PRESENTATION_ALLOWED));
      // onScreenCall returned on the main thread without waiting: the server has not answered and cannot.
      assertFalse("no answer yet", shadow(service).getLastRespondToCallInput().isPresent());

      // The SDK's deadline (1.5 s) answers; Android would wait 5 s for a screening app.
      CallResponse r = awaitResponse(service);
      assertFalse("fail open", r.getDisallowCall());
      assertFalse(r.getSilenceCall());
    }
  }

  @Test
  public void aCallPickedFromTheCallLogIsReportedWithTheTimeOfTheCall() throws Exception {
    String number = "+8613700137003";
    // The user reports, today, a call of three days ago.
    Instant callTime = Instant.now().minus(Duration.ofDays(3));
    ReportReceipt receipt;
    try (MatrixCursor callLog = new MatrixCursor(new String[] {CallLog.Calls._ID, CallLog.Calls.NUMBER,
        CallLog.Calls.DATE, CallLog.Calls.TYPE})) {
      callLog.addRow(new Object[] {7L, number, callTime.toEpochMilli(), CallLog.Calls.MISSED_TYPE});
      assertTrue(callLog.moveToFirst());
      receipt = CallLogReporter.report(client(), callLog, Category.DEBT_COLLECTION).get();
    }

    assertFalse("delivered, not queued", receipt.queued());
    assertNotNull("the server's report id", receipt.reportId());
    JSONObject seen = server.lookup(number);
    assertEquals(1, seen.getLong("reports"));
    // The public lookup dates reports to the day: the day of the call, not of the report.
    assertEquals(callTime.truncatedTo(ChronoUnit.DAYS), Instant.parse(seen.getString("lastReported")));
  }

  @Test
  public void theAppSchedulesThePeriodicSyncWithANetworkConstraintAtStart() {
    // SampleApplication.onCreate scheduled it.

    List<JobInfo> jobs = app.getSystemService(JobScheduler.class).getAllPendingJobs();
    assertEquals(1, jobs.size());
    JobInfo job = jobs.get(0);
    assertEquals(FilterSyncJobService.JOB_ID, job.getId());
    assertTrue(job.isPeriodic());
    assertEquals(FilterSyncJobService.PERIOD_MILLIS, job.getIntervalMillis());
    assertEquals(JobInfo.NETWORK_TYPE_ANY, job.getNetworkType());
    assertTrue(job.isPersisted());
  }

  @Test
  public void theSyncJobDownloadsTheFilterAndDeliversReportsQueuedOffline() throws Exception {
    // Offline: the report waits in the SDK's durable outbox.
    app.useServer("http://127.0.0.1:" + RunningDunblock.freePort() + "/");
    String number = "+8613600136004";
    try (MatrixCursor callLog = new MatrixCursor(CallLogReporter.COLUMNS)) {
      callLog.addRow(new Object[] {number, Instant.now().minus(Duration.ofMinutes(5)).toEpochMilli()});
      assertTrue(callLog.moveToFirst());
      assertTrue(CallLogReporter.report(client(), callLog, Category.CONTACT_HARASSMENT).get().queued());
    }

    // Back online, the job runs (the process may have been restarted in between: a new client, same data dir).
    app.useServer(server.url());
    FilterSyncJobService job = Robolectric.setupService(FilterSyncJobService.class);
    assertTrue("works on in the background", job.onStartJob(jobParameters()));
    ShadowJobService shadow = shadowOf(job);
    Polling.waitUntil("job finished", 30_000, shadow::getIsJobFinished);

    assertFalse("no retry needed", shadow.getIsRescheduleNeeded());
    assertTrue("filter downloaded", client().filterStatus().ready());
    assertEquals(0, client().pendingReports());
    assertEquals(1, server.lookup(number).getLong("reports"));
    // The BLOCK number is in the downloaded filter: the phone knows to ask about it.
    assertTrue(client().isPossiblyListed(LISTED));
  }

  @Test
  public void theSyncJobAsksToBeRetriedWhenTheServerIsUnreachable() {
    app.useServer("http://127.0.0.1:" + RunningDunblock.freePort() + "/");
    FilterSyncJobService job = Robolectric.setupService(FilterSyncJobService.class);

    job.onStartJob(jobParameters());
    ShadowJobService shadow = shadowOf(job);
    Polling.waitUntil("job finished", 30_000, shadow::getIsJobFinished);

    assertTrue(shadow.getIsRescheduleNeeded());
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  private DunblockClient client() throws Exception {
    // The client is made off the main thread, as the app does.
    return app.background.submit(app::dunblock).get();
  }

  private CallResponse screen(String number) {
    DunblockScreeningService service = Robolectric.setupService(DunblockScreeningService.class);
    service.onScreenCall(details(number, TelecomManager.PRESENTATION_ALLOWED));
    return awaitResponse(service);
  }

  private static ShadowCallScreeningService shadow(DunblockScreeningService service) {
    return Shadow.extract(service);
  }

  /** The one response the service gave; Android waits at most 5 s for it. */
  private static CallResponse awaitResponse(DunblockScreeningService service) {
    ShadowCallScreeningService shadow = shadow(service);
    Polling.waitUntil("respondToCall", 5_000, () -> shadow.getLastRespondToCallInput().isPresent());
    return shadow.getLastRespondToCallInput().get().getCallResponse();
  }

  private void assertNoWarning() {
    assertNull(shadowOf(app.getSystemService(NotificationManager.class)).getNotification(Warnings.NOTIFICATION_ID));
  }

  /** An incoming call as Telecom hands it to the screening service (the framework's own constructor). */
  private static Call.Details details(String number, int presentation) {
    Uri handle = number == null ? null : Uri.fromParts("tel", number, null);
    return new Call.Details(Call.STATE_RINGING, "call-1", handle, presentation, null,
        TelecomManager.PRESENTATION_ALLOWED, null, 0, 0, null, 0, null, 0, null, null, null,
        System.currentTimeMillis(), null, Call.Details.DIRECTION_INCOMING, 0, null);
  }

  private static JobParameters jobParameters() {
    return new JobParameters(null, null, FilterSyncJobService.JOB_ID, null, null, null, 0, false, false, false,
        null, null, null);
  }

  /** Accepts connections and never answers; closing it ends the SDK's calls that wait on it. */
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0);
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    SilentServer() throws IOException {
      Thread t = new Thread(() -> {
        while (!socket.isClosed()) {
          try {
            held.add(socket.accept());
          } catch (IOException e) {
            return;
          }
        }
      }, "silent-server");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      socket.close();
      for (Socket c : held) {
        c.close();
      }
    }
  }
}
