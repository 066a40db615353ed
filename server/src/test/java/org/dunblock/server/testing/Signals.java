package org.dunblock.server.testing;

import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/**
 * POSIX signals to processes the tests started (redis-server, server jars), for faults Java's Process API cannot
 * make: SIGSTOP/SIGCONT, and SIGKILL to a grandchild such as the server's embedded Redis.
 */
public final class Signals {
  private Signals() {
  }

  public static void send(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new AssertionError("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The pid a redis-server reports for itself (INFO server, process_id). */
  public static long pidOf(RedisClusterCommands<String, String> redis) {
    for (String line : redis.info("server").split("\r?\n")) {
      if (line.startsWith("process_id:")) {
        return Long.parseLong(line.substring("process_id:".length()).trim());
      }
    }
    throw new AssertionError("INFO server has no process_id");
  }
}
