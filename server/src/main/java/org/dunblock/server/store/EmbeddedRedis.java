package org.dunblock.server.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The default store: a real redis-server process (the binary shipped in the embedded-redis artifact) bound to
 * loopback, with its append-only file (fsync every second) under the data directory.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);

  private static final String PORT_FILE = "port";

  private final RedisServer server;
  private final int port;
  private final Path portFile;

  private EmbeddedRedis(RedisServer server, int port, Path portFile) {
    this.server = server;
    this.port = port;
    this.portFile = portFile;
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

  /** Starts redis-server with data under {@code dataDir/redis}; port 0 picks a free loopback port. Blocking. */
  public static EmbeddedRedis start(Path dataDir, int requestedPort) {
    try {
      Path dir = dataDir.resolve("redis").toAbsolutePath();
      Files.createDirectories(dir);
      int port = requestedPort == 0 ? freePort() : requestedPort;
      RedisServer server = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("dir " + dir)
          .setting("appendonly yes")
          .setting("appendfsync everysec")
          .setting("appendfilename \"dunblock.aof\"")
          .setting("dbfilename dunblock.rdb")
          .setting("save 900 1")
          .setting("protected-mode yes")
          .setting("daemonize no")
          .onShutdownForceStop(true)
          .build();
      server.start();
      // Announce the port so command-line tools (keys, import) reach this Redis instead of starting a second one
      // on the same files.
      Path portFile = dir.resolve(PORT_FILE);
      Files.writeString(portFile, Integer.toString(port));
      LOG.info("Embedded Redis started on 127.0.0.1:{} with data in {}", port, dir);
      return new EmbeddedRedis(server, port, portFile);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the embedded Redis server", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(portFile);
      server.stop();
      LOG.info("Embedded Redis stopped");
    } catch (IOException e) {
      LOG.warn("Embedded Redis did not stop cleanly", e);
    }
  }
}
