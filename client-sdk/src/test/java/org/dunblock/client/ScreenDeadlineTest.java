package org.dunblock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** OkHttp's call timeout does not bound a DNS lookup: the SDK's own timer must. */
class ScreenDeadlineTest {
  final CountDownLatch release = new CountDownLatch(1);
  final AtomicReference<Thread> resolvingThread = new AtomicReference<>();
  /** A resolver that never answers (until the test ends), as on a phone between networks. */
  final Dns silent = host -> {
    resolvingThread.set(Thread.currentThread());
    try {
      release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return List.of(InetAddress.getLoopbackAddress());
  };
  DunblockClient client;
  @TempDir
  Path temp;

  DunblockClient client(DunblockClientOptions.Builder b) {
    client = DunblockClient.create(b.baseUrl("http://api.dunblock.invalid/")
        .dataDir(temp.toFile()).backgroundSync(false).screenDeadline(Duration.ofMillis(300))
        .httpClient(new OkHttpClient.Builder().dns(silent).build()).build());
    return client;
  }

  @AfterEach
  void stop() {
    release.countDown();
    client.close();
  }

  @Test
  void screenAsyncFailsOpenByItsDeadlineWhenDnsNeverAnswers() throws Exception {
    ScreenResult r = client(DunblockClientOptions.builder()).screenAsync("13800138000").get(30, TimeUnit.SECONDS);
    assertEquals(ScreenResult.Source.FAIL_OPEN, r.source(), r.toString());
    assertEquals(Verdict.ALLOW, r.verdict());
    assertEquals("timeout", r.failure().code());
  }

  @Test
  void screenFailsOpenByItsDeadlineWhenDnsNeverAnswers() throws Exception {
    DunblockClient c = client(DunblockClientOptions.builder());
    ScreenResult r = java.util.concurrent.CompletableFuture.supplyAsync(() -> c.screen("13800138000"))
        .get(30, TimeUnit.SECONDS);
    assertEquals(ScreenResult.Source.FAIL_OPEN, r.source(), r.toString());
    assertEquals("timeout", r.failure().code());
  }

  @Test
  void screenOnAThreadThatMustNotBlockAnswersWithoutWaitingAndLooksUpInTheBackground() {
    Thread caller = Thread.currentThread();
    DunblockClient c = client(DunblockClientOptions.builder().mustNotBlock(() -> Thread.currentThread() == caller));
    ScreenResult r = c.screen("13800138000");
    assertEquals(ScreenResult.Source.FAIL_OPEN, r.source(), r.toString());
    assertEquals("would_block", r.failure().code());
    org.dunblock.server.testing.Conditions.waitUntil("a background lookup", Duration.ofSeconds(30),
        () -> resolvingThread.get() != null);
    assertNotEquals(caller, resolvingThread.get(), "the network is used on a background thread only");
    assertTrue(r.possiblyListed());
  }
}
