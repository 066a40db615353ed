package org.dunblock.server.imports;

import static org.dunblock.server.testing.Conditions.waitReady;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.dunblock.server.keys.KeyRegistry;
import org.dunblock.server.keys.Role;
import org.dunblock.server.testing.Api;
import org.dunblock.server.testing.RunningServer;
import org.dunblock.server.testing.TestRedis;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An import stops writing soon after its key is revoked, however long its upload still runs. */
@ExtendWith(VertxExtension.class)
class ImportRevokeIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();
  @RegisterExtension
  final RunningServer app = RunningServer.on(redis);

  @Test
  void aSlowImportStopsOnceItsKeyIsRevoked(Vertx vertx) throws Exception {
    waitReady(app.api());
    KeyRegistry registry = new KeyRegistry(redis.commands(), Clock.systemUTC());
    KeyRegistry.Minted operator = registry.create(Role.OPERATOR, "list loader", "test");
    try (Socket socket = new Socket("127.0.0.1", app.server().port())) {
      socket.setSoTimeout(50);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(("POST /v1/admin/import?source=slow-list&weight=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + operator.secret() + "\r\nContent-Type: text/csv\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      int sent = 0;
      for (; sent < 300; sent++) {
        chunk(out, String.format("+86137%08d,FRAUD\n", sent));
      }
      registry.revoke(operator.key().id(), "test", "key leaked");
      // Keep the upload going, a line at a time, until the server answers (it must, within seconds).
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!answer.toString(StandardCharsets.UTF_8).contains("}") && System.nanoTime() < deadline) {
        if (answer.size() == 0) {
          chunk(out, String.format("+86137%08d,FRAUD\n", sent++));
        }
        try {
          int n = in.read();
          if (n < 0) {
            break;
          }
          answer.write(n);
          answer.write(in.readNBytes(in.available()));
        } catch (SocketTimeoutException e) {
          // nothing yet: send another line
        }
      }
      String text = answer.toString(StandardCharsets.UTF_8);
      assertTrue(text.startsWith("HTTP/1.1 401 "), "after " + sent + " lines: " + text);
      JsonObject error = new JsonObject(text.substring(text.indexOf("{")));
      assertEquals("api_key_revoked", error.getString("error"), text);
      assertTrue(error.getString("message").contains("imported"), error.getString("message"));
      int stoppedAt = sent;
      // Nothing sent after the answer is stored: the last lines are unknown.
      assertEquals(0, Api.await(app.api().request(io.vertx.core.http.HttpMethod.GET,
          "/v1/numbers/" + String.format("+86137%08d", stoppedAt - 1)).send()).bodyAsJsonObject()
          .getInteger("reports"));
    }
  }

  static void chunk(OutputStream out, String data) throws java.io.IOException {
    byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
