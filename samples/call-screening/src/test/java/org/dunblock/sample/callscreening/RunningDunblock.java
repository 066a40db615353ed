package org.dunblock.sample.callscreening;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.json.JSONObject;
import redis.embedded.RedisServer;

/**
 * The real Dunblock server, as operators run it: the fat jar the server module builds
 * ({@code server/target/dunblock-server.jar}, path in {@code -Ddunblock.serverJar}), in its own JVM, on a real
 * redis-server of its own (started here, as the server's {@code ScaleOutIT} does). No mock of either.
 */
final class RunningDunblock implements AutoCloseable {
  static final String ADMIN_KEY = "sample-admin-key-0123456789abcdef";
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");

  private final Process process;
  private final RedisServer redis;
  private final Path dataDir;
  final int port;
  final OkHttpClient http = new OkHttpClient();

  private RunningDunblock(Process process, RedisServer redis, Path dataDir, int port) {
    this.process = process;
    this.redis = redis;
    this.dataDir = dataDir;
    this.port = port;
  }

  static RunningDunblock start() throws IOException {
    String jar = System.getProperty("dunblock.serverJar", "../../server/target/dunblock-server.jar");
    if (!new File(jar).isFile()) {
      throw new IllegalStateException(jar + " is missing: build the server module first (mvn -pl server package)");
    }
    // Under target/: the server's log stays there for a failed run to read.
    Path target = Path.of(System.getProperty("dunblock.serverDataParent", "target"));
    Files.createDirectories(target);
    Path dir = Files.createTempDirectory(target, "dunblock-server");
    int redisPort = freePort();
    RedisServer redis = RedisServer.newRedisServer()
        .port(redisPort)
        .bind("127.0.0.1")
        .setting("dir " + Files.createDirectories(dir.resolve("redis")).toAbsolutePath())
        .setting("appendonly no")
        .setting("save \"\"")
        .onShutdownForceStop(true)
        .build();
    redis.start();
    int port = freePort();
    ProcessBuilder b = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar);
    b.environment().put("DUNBLOCK_PORT", Integer.toString(port));
    b.environment().put("DUNBLOCK_HOST", "127.0.0.1");
    b.environment().put("DUNBLOCK_DATA_DIR", dir.toString());
    b.environment().put("DUNBLOCK_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    b.environment().put("DUNBLOCK_SECRET", "sample-test-secret-0123456789abcdef");
    b.environment().put("DUNBLOCK_ADMIN_KEY", ADMIN_KEY);
    // The test plays reporters on different networks by X-Forwarded-For from loopback.
    b.environment().put("DUNBLOCK_TRUSTED_PROXIES", "127.0.0.1");
    b.environment().put("DUNBLOCK_FILTER_EXPECTED_NUMBERS", "100000");
    b.environment().put("DUNBLOCK_EVENT_LOOPS", "1");
    b.redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile());
    RunningDunblock server;
    try {
      server = new RunningDunblock(b.start(), redis, dir, port);
    } catch (IOException e) {
      redis.stop();
      throw e;
    }
    try {
      Polling.waitUntil("server ready on " + port, 60_000, server::ready);
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  String url() {
    return "http://127.0.0.1:" + port + "/";
  }

  private boolean ready() {
    if (!process.isAlive()) {
      throw new IllegalStateException("server exited: see " + dataDir.resolve("server.log"));
    }
    try (Response r = http.newCall(new Request.Builder().url(url() + "ready").build()).execute()) {
      return r.code() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  /** An operator's BLOCK override: the server answers BLOCK for the number from now on. */
  void block(String e164) throws Exception {
    override(e164, "BLOCK");
  }

  void override(String e164, String verdict) throws Exception {
    Request put = new Request.Builder()
        .url(url() + "v1/admin/overrides/" + e164.replace("+", "%2B"))
        .header("Authorization", "Bearer " + ADMIN_KEY)
        .put(RequestBody.create(new JSONObject().put("verdict", verdict).put("reason", "sample test").toString(),
            JSON))
        .build();
    try (Response r = http.newCall(put).execute()) {
      if (r.code() != 200) {
        throw new AssertionError("override refused: " + r.code() + " " + r.body().string());
      }
    }
  }

  /**
   * Crowd reports from three new reporters on three networks: enough for WARN (score 0.31), far from BLOCK's
   * quorum (docs/scoring.md). Returns the server's verdict.
   */
  String reportByThreeNewReporters(String e164) throws Exception {
    for (int net = 1; net <= 3; net++) {
      String token;
      try (Response r = http.newCall(new Request.Builder().url(url() + "v1/reporters")
          .header("X-Forwarded-For", "203.0." + net + ".7").post(RequestBody.create(new byte[0])).build())
          .execute()) {
        token = new JSONObject(r.body().string()).getString("token");
      }
      Request report = new Request.Builder().url(url() + "v1/reports")
          .header("Authorization", "Bearer " + token)
          .header("X-Forwarded-For", "203.0." + net + ".7")
          .post(RequestBody.create(new JSONObject().put("number", e164).put("category", "DEBT_COLLECTION")
              .toString(), JSON))
          .build();
      try (Response r = http.newCall(report).execute()) {
        if (r.code() != 202) {
          throw new AssertionError("report refused: " + r.code() + " " + r.body().string());
        }
      }
    }
    return lookup(e164).getString("verdict");
  }

  /** The server's public lookup of a number, as any app sees it. */
  JSONObject lookup(String e164) throws Exception {
    Request get = new Request.Builder().url(url() + "v1/numbers/" + e164.replace("+", "%2B")).build();
    try (Response r = http.newCall(get).execute()) {
      return new JSONObject(r.body().string());
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      redis.stop();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

}
