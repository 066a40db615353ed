package org.dunblock.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.testing.TestRedis;
import org.dunblock.server.testing.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Where the server listens: the configured host only, and one port for all its event loops. */
class ListenIT {
  @RegisterExtension
  static final TestRedis redis = TestRedis.perClass();

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static int health(String host, int port) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/health")).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void everyEventLoopListensOnTheOneRandomPortOfPortZero() throws Exception {
    // Each event loop runs its own API verticle; with port 0 each used to get a random port of its own, and all
    // traffic went to the first. The server refuses to start unless they share the port it announces.
    try (DunblockServer server = TestServers.start(TestServers.config(redis).port(0).eventLoops(3))) {
      assertEquals(200, health("127.0.0.1", server.port()));
    }
  }

  @Test
  void onlyTheConfiguredHostIsListenedOn() throws Exception {
    int port = TestRedis.freePort();
    try (DunblockServer server = TestServers.start(TestServers.config(redis).host("127.0.0.2").port(port))) {
      assertEquals(200, health("127.0.0.2", server.port()));
      // Another address of the same machine: nothing listens there.
      assertThrows(ConnectException.class, () -> {
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
        } catch (ConnectException refused) {
          throw refused;
        } catch (IOException other) {
          throw new AssertionError("expected the connection to be refused", other);
        }
      });
    }
  }
}
