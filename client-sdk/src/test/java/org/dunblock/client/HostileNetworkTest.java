package org.dunblock.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What phones meet between them and the server: a captive portal answering 200 with its login page, a proxy
 * answering 403/407 with its own page. A tiny JDK HttpServer on 127.0.0.1 plays them; none of it is the Dunblock
 * server, so no queued report may be dropped because of it.
 */
class HostileNetworkTest {
  /** status, content type, body the "network" answers every request with. */
  final AtomicReference<String[]> answer = new AtomicReference<>();
  HttpServer portal;
  DunblockClient client;
  @TempDir
  Path temp;

  @BeforeEach
  void start() throws IOException {
    portal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    portal.createContext("/", ex -> {
      String[] a = answer.get();
      byte[] body = a[2].getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", a[1]);
      ex.sendResponseHeaders(Integer.parseInt(a[0]), body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    });
    portal.start();
    client = DunblockClient.create(DunblockClientOptions.builder()
        .baseUrl("http://127.0.0.1:" + portal.getAddress().getPort() + "/")
        .dataDir(temp.resolve("data").toFile())
        .backgroundSync(false)
        .retryBaseDelay(Duration.ofMillis(50))
        .build());
  }

  @AfterEach
  void stop() {
    client.close();
    portal.stop(0);
  }

  void reportStaysQueuedWhenTheNetworkAnswers(String status, String type, String body) {
    answer.set(new String[] {status, type, body});
    ReportReceipt receipt = client.report(Report.builder("13800138000", Category.DEBT_COLLECTION).build());
    assertTrue(receipt.queued(), receipt.toString());
    assertEquals(1, client.pendingReports());
    assertThrows(DunblockException.class, client::deliverQueuedReports);
    assertEquals(1, client.pendingReports(), "the report is still queued after a retry");
  }

  @Test
  void captivePortalLoginPageKeepsTheReportQueued() {
    reportStaysQueuedWhenTheNetworkAnswers("200", "text/html", "<html><body>Log in to Airport WiFi</body></html>");
  }

  @Test
  void captivePortalSpeakingJsonKeepsTheReportQueued() {
    reportStaysQueuedWhenTheNetworkAnswers("200", "application/json", "{\"status\":\"login required\"}");
  }

  @Test
  void proxyForbiddenPageKeepsTheReportQueued() {
    reportStaysQueuedWhenTheNetworkAnswers("403", "text/html", "<html>Forbidden by corporate proxy</html>");
  }

  @Test
  void proxyAuthenticationRequiredKeepsTheReportQueued() {
    reportStaysQueuedWhenTheNetworkAnswers("407", "text/html", "<html>Proxy authentication required</html>");
  }

  @Test
  void screeningThroughACaptivePortalFailsOpen() {
    answer.set(new String[] {"200", "text/html", "<html>Log in</html>"});
    ScreenResult r = client.screen("13800138000");
    assertEquals(Verdict.ALLOW, r.verdict());
    assertEquals(ScreenResult.Source.FAIL_OPEN, r.source());
  }
}
