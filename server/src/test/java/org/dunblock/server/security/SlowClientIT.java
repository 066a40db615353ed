package org.dunblock.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slowloris: clients that trickle headers byte by byte, or never finish a body, lose their connections within the
 * configured timeouts, while everyone else keeps being answered.
 */
class SlowClientIT {
  static final Duration IDLE = Duration.ofSeconds(2);
  static final Duration REQUEST = Duration.ofMillis(1500);
  /** How long a trickler would go on if the server let it: well past both timeouts. */
  static final Duration TRICKLE_FOR = Duration.ofSeconds(15);
  static final int SLOW_CLIENTS = 10;

  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis).with(c -> c.idleTimeout(IDLE).requestTimeout(REQUEST));

  /** A connection sending a request one byte per tick; records what the server answered and when it hung up. */
  static final class Trickler {
    final Socket socket = new Socket();
    final byte[] request;
    final long openedAt = System.nanoTime();
    final ByteArrayOutputStream answer = new ByteArrayOutputStream();
    int sent;
    long closedAfterMs = -1;

    /** Sends the first {@code burst} bytes at once, the rest byte by byte. */
    Trickler(int port, String request, int burst) throws IOException {
      this.request = request.getBytes(StandardCharsets.US_ASCII);
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      socket.setSoTimeout(1);
      socket.getOutputStream().write(this.request, 0, burst);
      sent = burst;
    }

    /**
     * Reads what came back, then sends one more byte (never the last: the request stays unfinished) unless the server
     * has already answered. A write to a connection the server has answered and closed can fail, and the answer is
     * still read after it: the client must not lose the server's last words to its own write.
     */
    void tick() {
      if (closedAfterMs >= 0) {
        return;
      }
      try {
        if (!read() || answer.size() > 0) {
          return;
        }
        if (sent < request.length - 1) {
          OutputStream out = socket.getOutputStream();
          out.write(request[sent++]);
          out.flush();
        }
      } catch (IOException e) {
        drain();
      }
    }

    /** Reads what the server has sent so far; false once it has closed the connection. */
    private boolean read() throws IOException {
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[4096];
      try {
        int n = in.read(buffer);
        if (n < 0) {
          closed();
          return false;
        }
        answer.write(buffer, 0, n);
      } catch (SocketTimeoutException quiet) {
        // nothing from the server yet
      }
      return true;
    }

    /** After a failed write: keeps what the server sent before it hung up (waiting at most a second), then closes. */
    private void drain() {
      byte[] buffer = new byte[4096];
      try {
        socket.setSoTimeout(1_000);
        InputStream in = socket.getInputStream();
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          answer.write(buffer, 0, n);
        }
      } catch (IOException gone) {
        // reset or silent: what was read is all there is
      }
      closed();
    }

    private void closed() {
      closedAfterMs = (System.nanoTime() - openedAt) / 1_000_000;
      try {
        socket.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }

  /** Ticks every trickler every 50 ms, checking that the server answers others meanwhile, until all are cut off. */
  List<Trickler> trickle(String request, int burst) throws IOException {
    List<Trickler> slow = new ArrayList<>();
    // A connection per request: a keep-alive one idling between checks would itself meet the idle timeout.
    Api others = new Api(app.server().vertx(), app.server().port(), false);
    for (int i = 0; i < SLOW_CLIENTS; i++) {
      slow.add(new Trickler(app.server().port(), request, burst));
    }
    long deadline = System.nanoTime() + TRICKLE_FOR.toNanos();
    int answeredMeanwhile = 0;
    while (System.nanoTime() < deadline && slow.stream().anyMatch(t -> t.closedAfterMs < 0)) {
      slow.forEach(Trickler::tick);
      assertEquals(200, others.get("/health").statusCode(), "others are answered while slow clients hang on");
      answeredMeanwhile++;
      java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
    }
    others.close();
    assertTrue(answeredMeanwhile > 5);
    return slow;
  }

  @Test
  void headersTrickledByteByByteAreCutOffAfterTheIdleTimeout() throws IOException {
    String endless = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "a".repeat(1_000) + "\r\n\r\n";
    for (Trickler t : trickle(endless, 0)) {
      assertTrue(t.closedAfterMs >= 0, "a trickling connection was still open after " + TRICKLE_FOR);
      // Closed after the idle timeout plus a sweep period, far from the 12 s the client would have gone on.
      assertTrue(t.closedAfterMs < IDLE.toMillis() + 3_000, "closed after " + t.closedAfterMs + " ms");
      assertTrue(t.sent > 5, "the client did trickle: " + t.sent + " bytes");
      assertEquals(0, t.answer.size(), "headers never completed, so no answer: " + t.answer);
    }
  }

  @Test
  void bodyThatNeverEndsGets408AndTheConnectionIsClosed() throws IOException {
    String body = new JsonObject().put("number", "13800138000").put("category", "THREAT").put("note", "x".repeat(900))
        .encode();
    String neverEnding = "POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer x\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
    for (Trickler t : trickle(neverEnding, neverEnding.indexOf("\r\n\r\n") + 5)) {
      assertTrue(t.closedAfterMs >= 0, "a connection with an endless body was still open after " + TRICKLE_FOR);
      String answer = t.answer.toString(StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 408 "), "after " + t.closedAfterMs + " ms, " + t.sent + " bytes: " + answer);
      assertTrue(answer.contains("application/json") && answer.contains("\"error\":\"request_timeout\""), answer);
      assertTrue(t.closedAfterMs < REQUEST.toMillis() + 3_000, "closed after " + t.closedAfterMs);
    }
  }

  @Test
  void endlessImportWithoutAKeyIsAnsweredAndCutOff() throws IOException {
    // Imports are read at the server's pace, so they have no body deadline while they run; a refused one has.
    String neverEnding = "POST /v1/admin/import?source=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: text/csv\r\nContent-Length: 100000\r\n\r\n" + "13800138000,THREAT\n".repeat(50);
    for (Trickler t : trickle(neverEnding, neverEnding.indexOf("\r\n\r\n") + 5)) {
      assertTrue(t.closedAfterMs >= 0, "an endless import was still open after " + TRICKLE_FOR);
      String answer = t.answer.toString(StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 401 ") && answer.contains("missing_api_key"), answer);
      assertTrue(t.closedAfterMs < REQUEST.toMillis() + 3_000, "closed after " + t.closedAfterMs);
    }
  }

  @Test
  void silentConnectionIsClosedAfterTheIdleTimeout() throws IOException {
    try (Socket silent = new Socket()) {
      silent.connect(new InetSocketAddress("127.0.0.1", app.server().port()), 2_000);
      silent.setSoTimeout((int) TRICKLE_FOR.toMillis());
      long start = System.nanoTime();
      assertEquals(-1, silent.getInputStream().read(), "closed without an answer");
      long closedAfterMs = (System.nanoTime() - start) / 1_000_000;
      assertTrue(closedAfterMs < IDLE.toMillis() + 3_000, "closed after " + closedAfterMs + " ms");
      Api fresh = new Api(app.server().vertx(), app.server().port(), false);
      assertEquals(200, fresh.get("/health").statusCode());
      fresh.close();
    }
  }
}
