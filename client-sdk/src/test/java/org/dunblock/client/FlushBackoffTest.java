package org.dunblock.client;

import static org.dunblock.server.testing.Conditions.waitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.dunblock.client.internal.ReportOutbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background flush never spins: not on a queued file it can neither read nor move aside, not on a server (or
 * a network) answering 503 or 429 for ever, and a Retry-After of days does not stall the queue past the maximum
 * back-off. The bounds asserted are upper bounds on attempts in a window: a slow machine only makes fewer.
 */
class FlushBackoffTest {
  /** Watching the background for this long; only an upper bound on its attempts is asserted. */
  static final Duration WINDOW = Duration.ofMillis(1500);
  @TempDir
  Path temp;
  HttpServer http;
  final AtomicInteger reportPosts = new AtomicInteger();
  /** status and Retry-After of the answer to POST /v1/reports; status 202 answers a receipt. */
  final AtomicReference<String[]> reportAnswer = new AtomicReference<>(new String[] {"503", "0"});

  @AfterEach
  void stop() {
    if (http != null) {
      http.stop(0);
    }
  }

  String hostileServer() throws IOException {
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/v1/reporters", ex -> answer(ex, 201, null, "{\"token\":\"t-1\"}"));
    http.createContext("/v1/reports", ex -> {
      reportPosts.incrementAndGet();
      String[] a = reportAnswer.get();
      int status = Integer.parseInt(a[0]);
      answer(ex, status, a[1], status == 202 ? "{\"reportId\":\"rep_1\",\"number\":\"+8613800138000\",\"counted\":true}"
          : "{\"error\":\"" + (status == 429 ? "rate_limited" : "store_unavailable") + "\"}");
    });
    http.createContext("/", ex -> answer(ex, 503, "0", "{\"error\":\"store_unavailable\"}"));
    http.start();
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/";
  }

  static void answer(HttpExchange ex, int status, String retryAfter, String body) throws IOException {
    ex.getRequestBody().readAllBytes();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    if (retryAfter != null) {
      ex.getResponseHeaders().set("Retry-After", retryAfter);
    }
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  DunblockClient client(String url) {
    return DunblockClient.create(DunblockClientOptions.builder().baseUrl(url).dataDir(temp.toFile())
        .retryBaseDelay(Duration.ofMillis(100)).retryMaxDelay(Duration.ofMillis(400)).build());
  }

  static void watch() {
    LockSupport.parkNanos(WINDOW.toNanos());
  }

  @Test
  void aQueuedFileThatCanNeitherBeReadNorMovedAsideDoesNotMakeTheFlushSpin() throws IOException {
    File outbox = temp.resolve("outbox").toFile();
    assertTrue(outbox.mkdirs());
    // A file where the quarantine dir should be: the damaged report cannot be moved aside, and stays.
    Files.writeString(outbox.toPath().resolve("quarantine"), "");
    Files.writeString(outbox.toPath().resolve("000000000000001-broken.json"), "{not json");
    AtomicInteger tries = new AtomicInteger();
    Handler counter = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getMessage() != null && r.getMessage().contains("quarantine")) {
          tries.incrementAndGet();
        }
      }

      @Override
      public void flush() {
      }

      @Override
      public void close() {
      }
    };
    Logger log = Logger.getLogger(ReportOutbox.class.getName());
    log.addHandler(counter);
    try (DunblockClient c = client(StorageDirsTest.unreachableUrl())) {
      waitUntil("the flush has tried the file", Duration.ofSeconds(5), () -> tries.get() > 0);
      watch();
      assertTrue(tries.get() <= 12, tries.get() + " flush runs in " + WINDOW + ": the flush spins");
    } finally {
      log.removeHandler(counter);
    }
  }

  void boundedAttemptsWhileTheServerAnswers(String status, String retryAfter) throws IOException {
    reportAnswer.set(new String[] {status, retryAfter});
    try (DunblockClient c = client(hostileServer())) {
      assertTrue(c.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build()).queued());
      waitUntil("the background retries", Duration.ofSeconds(5), () -> reportPosts.get() > 1);
      int before = reportPosts.get();
      watch();
      int attempts = reportPosts.get() - before;
      // Back-off from 100 ms to 400 ms (each delay at least half of that): about 8 flush runs in 1.5 s; an HTTP
      // client's own silent retry on a connection the server closed may double a run's requests. A loop without
      // back-off makes hundreds.
      assertTrue(attempts <= 20, attempts + " attempts in " + WINDOW);
      assertEquals(1, c.pendingReports());
    }
  }

  @Test
  void aServerAnswering503WithRetryAfterZeroForEverGetsBoundedAttempts() throws IOException {
    boundedAttemptsWhileTheServerAnswers("503", "0");
  }

  @Test
  void aServerAnswering429WithRetryAfterZeroForEverGetsBoundedAttempts() throws IOException {
    boundedAttemptsWhileTheServerAnswers("429", "0");
  }

  @Test
  void aRetryAfterOfDaysDoesNotStallTheQueuePastTheMaximumBackOff() throws IOException {
    reportAnswer.set(new String[] {"429", Long.toString(Duration.ofDays(3).toSeconds())});
    try (DunblockClient c = client(hostileServer())) {
      assertTrue(c.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build()).queued());
      reportAnswer.set(new String[] {"202", null});
      waitUntil("the queued report is delivered", Duration.ofSeconds(10), () -> c.pendingReports() == 0);
    }
  }
}
