package org.dunblock.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.dunblock.client.DunblockClient;
import org.dunblock.client.DunblockClientOptions;
import org.dunblock.client.ScreenResult;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SDK's call-screening path for the common case, a caller nobody reported: {@code screen()} answered from the
 * local filter, with no network. Set up against a real server (embedded Redis on loopback) whose filter the client
 * downloads once; the server is idle while the benchmark runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ScreenBenchmark {
  DunblockServer server;
  DunblockClient client;
  Path dir;
  String[] callers;
  int next;

  @Setup(Level.Trial)
  public void start() throws IOException, InterruptedException {
    dir = Files.createTempDirectory("dunblock-screen-bench");
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    server = DunblockServer.start(DunblockConfig.builder()
        .host("127.0.0.1").port(port).dataDir(dir.resolve("server")).eventLoops(1)
        .trustedProxies(List.of("127.0.0.1")).filterExpectedNumbers(100_000).tokensPerNetworkPerDay(1_000)
        .lookupsPerClientPerMinute(0)
        .build(), Clock.systemUTC());
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    for (int i = 0; i < 200; i++) {
      String token = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/reporters"))
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body()
          .replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
      http.send(HttpRequest.newBuilder(URI.create(base + "/v1/reports"))
          .header("Authorization", "Bearer " + token).header("X-Forwarded-For", "203.0." + (i % 200) + ".1")
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"number\":\"+86138" + String.format("%08d", i) + "\",\"category\":\"DEBT_COLLECTION\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
    }
    client = DunblockClient.create(DunblockClientOptions.builder()
        .baseUrl(base + "/")
        .cacheDir(dir.resolve("client").toFile())
        .backgroundSync(false)
        .build());
    client.syncFilter();
    callers = new String[4096];
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < callers.length; i++) {
      callers[i] = "+86159" + String.format("%08d", random.nextInt(100_000_000));
    }
    ScreenResult probe = client.screen(callers[0]);
    if (probe.source() != ScreenResult.Source.LOCAL_FILTER) {
      throw new IllegalStateException("an unreported caller should be answered locally: " + probe);
    }
  }

  @TearDown(Level.Trial)
  public void stop() {
    client.close();
    server.close();
  }

  @Benchmark
  public ScreenResult screenUnreportedCaller() {
    return client.screen(callers[next++ & 4095]);
  }
}
