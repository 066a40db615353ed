package org.dunblock.server.store;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.api.StatefulConnection;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Redis connection that replaces itself when it is wedged. Lettuce reconnects on its own when the socket
 * closes (Redis killed or restarted), but a connection whose peer stops answering without closing it (a paused
 * Redis, a network that drops packets, a firewall that forgot the flow) stays "connected": every command times
 * out for as long as TCP keeps it open, which can be hours. So when a command times out and nothing has come back
 * on this connection for longer than the command timeout, a fresh connection is opened beside it (one attempt at a
 * time) and swapped in once Redis answers its handshake; the wedged one is closed, failing what still waits on it.
 *
 * @param <C> the connection type (standalone or cluster), so both client paths can share this
 */
final class RedisLink<C extends StatefulConnection<String, String>> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  private final String name;
  private final Supplier<CompletionStage<C>> connector;
  private final long silentNanos;
  private final AtomicBoolean replacing = new AtomicBoolean();
  private volatile C connection;
  private volatile long lastAnswerNanos = System.nanoTime();
  private volatile boolean closed;

  /**
   * @param connection the first connection, already open
   * @param connector opens another connection to the same Redis with the same options
   * @param silence how long a connection may go without any answer before a timeout replaces it
   */
  RedisLink(String name, C connection, Supplier<CompletionStage<C>> connector, Duration silence) {
    this.name = name;
    this.connection = connection;
    this.connector = connector;
    this.silentNanos = silence.toNanos();
  }

  C connection() {
    return connection;
  }

  /** Records the outcome of a command sent on this link: an answer proves it alive, a long silence replaces it. */
  void completed(Throwable outcome) {
    Throwable failure = outcome;
    while (failure instanceof CompletionException && failure.getCause() != null) {
      failure = failure.getCause();
    }
    if (!(failure instanceof RedisCommandTimeoutException)) {
      // An error reply is an answer too; a refused command (disconnected, queue full) says nothing about silence.
      if (failure == null || failure instanceof RedisCommandExecutionException) {
        lastAnswerNanos = System.nanoTime();
      }
      return;
    }
    if (System.nanoTime() - lastAnswerNanos < silentNanos || closed || !replacing.compareAndSet(false, true)) {
      return;
    }
    C wedged = connection;
    LOG.warn("Redis connection '{}' has not answered for over {} ms; opening a new one", name, silentNanos / 1_000_000);
    CompletionStage<C> attempt;
    try {
      attempt = connector.get();
    } catch (RuntimeException e) {
      LOG.warn("New Redis connection '{}' could not be started; trying again on the next timeout", name, e);
      replacing.set(false);
      return;
    }
    attempt.whenComplete((fresh, error) -> {
      if (error != null) {
        LOG.warn("New Redis connection '{}' failed ({}); trying again on the next timeout", name, error.getMessage());
      } else if (closed) {
        fresh.closeAsync();
      } else {
        connection = fresh;
        lastAnswerNanos = System.nanoTime();
        wedged.closeAsync();
        LOG.info("Redis connection '{}' replaced", name);
      }
      replacing.set(false);
    });
  }

  @Override
  public void close() {
    closed = true;
    connection.close();
  }
}
