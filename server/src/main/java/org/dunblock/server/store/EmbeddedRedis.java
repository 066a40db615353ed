package org.dunblock.server.store;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ShutdownArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.dunblock.server.config.SecretFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The default store: a real redis-server process (the binary shipped in the embedded-redis artifact) bound to
 * loopback, with its append-only file under the data directory, fsynced every second or before every
 * acknowledgement ({@code DUNBLOCK_EMBEDDED_REDIS_FSYNC}; README "Durability" says what each survives).
 *
 * <p>Whoever runs it holds a lock on {@code DATA_DIR/redis/lock}, so two processes never run Redis on the same
 * files. A redis-server left behind by a process that was killed outright is shut down (it flushes its AOF) before
 * a new one starts.
 *
 * <p>It is supervised: should redis-server die while we run (an out-of-memory kill, a crash), it is started again
 * on the same port from its append-only file, and the store's connections reconnect to it by themselves.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);
  private static final String PORT_FILE = "port";
  private static final String LOCK_FILE = "lock";
  /**
   * The password every client must give (AUTH), as a line of Redis configuration the server includes: without one,
   * any local process could read every record or add an admin key. Created owner-only ({@link SecretFiles}).
   */
  static final String AUTH_FILE = "auth.conf";
  private static final String REQUIREPASS = "requirepass ";
  /** Restarts tried, a few seconds apart at most, before a dead redis-server is left to the operator. */
  private static final int RESTART_ATTEMPTS = 20;
  /** How long a SHUTDOWN may take (fsync of the append-only file, the RDB save) before the process is killed. */
  static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final RedisServer server;
  private final Duration stopGrace;
  private final int port;
  private final String password;
  private final Path portFile;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ExecutorService supervisor = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "embedded-redis-supervisor");
    thread.setDaemon(true);
    return thread;
  });
  private volatile boolean closing;
  /** The running redis-server's process id, for a stop that must not wait on it for ever. */
  private volatile long redisPid = -1;

  private EmbeddedRedis(RedisServer server, int port, String password, Path portFile, FileChannel lockChannel,
      FileLock lock, Duration stopGrace) {
    this.stopGrace = stopGrace;
    this.server = server;
    this.port = port;
    this.password = password;
    this.portFile = portFile;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** Restarts redis-server when its process exits while we are not closing. */
  private void supervise() {
    long pid = pid();
    redisPid = pid;
    ProcessHandle.of(pid).ifPresent(process -> process.onExit().thenRunAsync(this::restartAfterExit, supervisor));
  }

  private long pid() {
    RedisURI uri = RedisURI.create(url());
    uri.setTimeout(Duration.ofSeconds(5));
    RedisClient client = RedisClient.create(uri);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      return pidOf(connection);
    } finally {
      client.shutdown();
    }
  }

  private static long pidOf(StatefulRedisConnection<String, String> connection) {
    for (String line : connection.sync().info("server").split("\r?\n")) {
      if (line.startsWith("process_id:")) {
        return Long.parseLong(line.substring("process_id:".length()).trim());
      }
    }
    throw new IllegalStateException("redis-server did not tell its process id");
  }

  private void restartAfterExit() {
    for (int attempt = 0; attempt < RESTART_ATTEMPTS && !closing; attempt++) {
      synchronized (this) {
        if (closing) {
          return;
        }
        LOG.error("Embedded Redis on port {} exited unexpectedly; starting it again from its append-only file", port);
        try {
          server.stop(); // reaps the dead process so the same server can start again
          server.start();
          supervise();
          LOG.warn("Embedded Redis running again on 127.0.0.1:{}", port);
          return;
        } catch (IOException | RuntimeException e) {
          LOG.error("Embedded Redis did not start again (attempt {})", attempt + 1, e);
        }
      }
      LockSupport.parkNanos(Duration.ofMillis(Math.min(5_000, 250L << Math.min(attempt, 5))).toNanos());
    }
  }

  /**
   * The URL (with its password) of the embedded Redis a running server on this data dir announced, or null: for
   * command-line tools and tests on the same data dir.
   */
  public static String runningUrl(Path dataDir) {
    Integer port = runningPort(dataDir);
    String password = storedPassword(dataDir.resolve("redis").toAbsolutePath());
    return port == null || password == null ? null : url(password, port);
  }

  /** The password of this data dir's embedded Redis, or null when none was made yet. */
  static String storedPassword(Path redisDir) {
    Path file = redisDir.resolve(AUTH_FILE);
    try {
      return Files.exists(file) ? parsePassword(Files.readString(file)) : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String parsePassword(String authConf) {
    String line = authConf.trim();
    if (!line.startsWith(REQUIREPASS)) {
      throw new IllegalStateException("the embedded Redis " + AUTH_FILE + " is not a requirepass line");
    }
    return line.substring(REQUIREPASS.length()).trim();
  }

  /** A fresh password (hex: no quoting needed in a Redis config or a URL), or the one kept in the data dir. */
  private static String password(Path redisDir) throws IOException {
    return parsePassword(SecretFiles.readOrCreate(redisDir.resolve(AUTH_FILE), () -> {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      return REQUIREPASS + HexFormat.of().formatHex(random) + "\n";
    }));
  }

  /** The port of the embedded Redis a running server on this data dir announced, or null. */
  public static Integer runningPort(Path dataDir) {
    Path file = dataDir.resolve("redis").resolve(PORT_FILE);
    try {
      return Files.exists(file) ? Integer.valueOf(Files.readString(file).trim()) : null;
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }

  /**
   * Starts redis-server with data under {@code dataDir/redis}; port 0 picks a free loopback port; {@code fsync} is
   * Redis's appendfsync policy ({@code always} or {@code everysec}). Blocking.
   */
  public static EmbeddedRedis start(Path dataDir, int requestedPort, String fsync) {
    return start(dataDir, requestedPort, fsync, STOP_GRACE);
  }

  /** As {@link #start(Path, int, String)}, with how long {@link #close()} waits for SHUTDOWN before killing. */
  static EmbeddedRedis start(Path dataDir, int requestedPort, String fsync, Duration stopGrace) {
    Path dir = dataDir.resolve("redis").toAbsolutePath();
    FileChannel channel = null;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        throw new IllegalStateException("Another Dunblock process is running on data dir " + dataDir
            + "; stop it, or give this one its own DUNBLOCK_DATA_DIR.");
      }
      String password = password(dir);
      Integer orphan = runningPort(dataDir);
      if (orphan != null) {
        shutDownOrphan(orphan, password);
      }
      int port = requestedPort == 0 ? freePort() : requestedPort;
      RedisServer server = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("dir " + dir)
          .setting("appendonly yes")
          .setting("appendfsync " + fsync)
          .setting("appendfilename \"dunblock.aof\"")
          .setting("dbfilename dunblock.rdb")
          .setting("save 900 1")
          .setting("protected-mode yes")
          .setting("daemonize no")
          // From our owner-only file, so the password is on no command line and in no temporary file.
          .setting("include " + dir.resolve(AUTH_FILE))
          // We stop it ourselves with SHUTDOWN after the HTTP server has drained, not from the library's hook.
          .onShutdownForceStop(false)
          .build();
      server.start();
      // Announce the port so command-line tools (keys, import) reach this Redis instead of starting a second one
      // on the same files.
      Path portFile = dir.resolve(PORT_FILE);
      Files.writeString(portFile, Integer.toString(port));
      LOG.info("Embedded Redis started on 127.0.0.1:{} with data in {} (appendfsync {})", port, dir, fsync);
      EmbeddedRedis embedded = new EmbeddedRedis(server, port, password, portFile, channel, lock, stopGrace);
      embedded.supervise();
      return embedded;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("could not start the embedded Redis server", e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  /** A redis-server still answering on the announced port while nobody holds the lock was orphaned: stop it. */
  private static void shutDownOrphan(int port, String password) {
    RedisURI uri = RedisURI.create(url(password, port));
    uri.setTimeout(Duration.ofSeconds(2));
    RedisClient client = RedisClient.create(uri);
    ProcessHandle orphan = null;
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      LOG.warn("A redis-server left behind on port {} still runs on this data dir; shutting it down", port);
      orphan = ProcessHandle.of(pidOf(connection)).orElse(null);
      connection.sync().shutdown(ShutdownArgs.Builder.save(true));
    } catch (RuntimeException e) {
      // Nothing answers (the usual case after a clean stop) or it went away while we asked: either way it is gone.
    } finally {
      client.shutdown();
    }
    if (orphan != null) {
      // It must be gone before a new redis-server opens the same files.
      awaitExitOrKill(orphan, STOP_GRACE);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** The URL clients connect with; it carries the password, so it is never logged (toString() does not show it). */
  public String url() {
    return url(password, port);
  }

  private static String url(String password, int port) {
    return "redis://" + password + "@127.0.0.1:" + port;
  }

  @Override
  public String toString() {
    return "EmbeddedRedis[127.0.0.1:" + port + "]";
  }

  public int port() {
    return port;
  }

  /**
   * SHUTDOWN (Redis fsyncs its AOF, saves, and exits), then reap the process and release the data dir. A Redis that
   * cannot write its files refuses to shut down, and refuses SIGTERM alike; waiting on it would hang our own stop
   * and leave it running after us, so past the stop grace ({@link #STOP_GRACE}) it is killed: the append-only file
   * keeps every write fsynced so far (all of them under {@code appendfsync always}), as after any crash.
   */
  @Override
  public void close() {
    closing = true;
    supervisor.shutdown();
    synchronized (this) {
      stop();
    }
  }

  private void stop() {
    try {
      Files.deleteIfExists(portFile);
      RedisURI uri = RedisURI.create(url());
      uri.setTimeout(Duration.ofSeconds(5));
      RedisClient client = RedisClient.create(uri);
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        connection.sync().shutdown(ShutdownArgs.Builder.save(true));
      } catch (RuntimeException e) {
        // SHUTDOWN closes the connection instead of answering; a Redis that is already gone is fine too.
      } finally {
        client.shutdown();
      }
      if (redisPid > 0) {
        ProcessHandle.of(redisPid).ifPresent(process -> awaitExitOrKill(process, stopGrace));
      }
      server.stop();
      LOG.info("Embedded Redis stopped");
    } catch (IOException e) {
      LOG.warn("Embedded Redis did not stop cleanly", e);
    } finally {
      try {
        lock.release();
      } catch (IOException e) {
        LOG.debug("lock release", e);
      }
      closeQuietly(lockChannel);
    }
  }

  private static void awaitExitOrKill(ProcessHandle process, Duration stopGrace) {
    try {
      process.onExit().get(stopGrace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.error("Embedded Redis (pid {}) did not exit within {} s of SHUTDOWN (can it write its files? see its log); "
          + "killing it: its append-only file holds every write fsynced so far", process.pid(),
          stopGrace.toSeconds());
      process.destroyForcibly();
      process.onExit().orTimeout(5, TimeUnit.SECONDS).exceptionally(t -> process).join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    } catch (ExecutionException e) {
      LOG.debug("waiting for redis-server", e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("close", e);
      }
    }
  }
}
