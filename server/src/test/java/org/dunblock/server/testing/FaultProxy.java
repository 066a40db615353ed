package org.dunblock.server.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy on loopback between the server and Redis that breaks the network on demand: it adds latency, cuts
 * every connection, or blackholes them (bytes are dropped and the sockets stay open, as when a firewall or NAT
 * forgets a flow or the peer's host vanishes: nobody sends a reset). Connections blackholed stay dead after
 * {@link #restore()}, as they would on a real network; only new ones get through again.
 */
public final class FaultProxy implements AutoCloseable {
  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private final int targetPort;
  private final Set<Pipe> pipes = ConcurrentHashMap.newKeySet();
  private volatile long latencyMs;
  private volatile boolean blackhole;

  private FaultProxy(Vertx vertx, int targetPort) {
    this.vertx = vertx;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2_000));
    this.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
  }

  /** Listens on a free loopback port and forwards to {@code 127.0.0.1:targetPort}. */
  public static FaultProxy start(Vertx vertx, int targetPort) {
    FaultProxy proxy = new FaultProxy(vertx, targetPort);
    proxy.server.connectHandler(proxy::accept);
    Api.await(proxy.server.listen());
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "redis://127.0.0.1:" + port();
  }

  /** Delays every chunk, both ways, by this much (order kept). */
  public void latency(long millis) {
    latencyMs = millis;
  }

  /** Closes every proxied connection now (Redis and the server each see their socket closed). */
  public void cut() {
    for (Pipe pipe : pipes) {
      pipe.close();
    }
  }

  /** From now on, every connection open or opened drops all bytes without closing. */
  public void blackhole() {
    for (Pipe pipe : pipes) {
      pipe.dead = true;
    }
    blackhole = true;
  }

  /** No more latency; new connections are forwarded again. Blackholed connections stay dead. */
  public void restore() {
    latencyMs = 0;
    blackhole = false;
  }

  private void accept(NetSocket inbound) {
    Pipe pipe = new Pipe(inbound);
    pipe.dead = blackhole;
    pipes.add(pipe);
    inbound.pause();
    inbound.closeHandler(v -> pipe.close());
    client.connect(targetPort, "127.0.0.1").onComplete(ar -> {
      if (ar.failed()) {
        pipe.close();
        return;
      }
      pipe.outbound = ar.result();
      pipe.outbound.closeHandler(v -> pipe.close());
      forward(pipe, inbound, pipe.outbound);
      forward(pipe, pipe.outbound, inbound);
      inbound.resume();
    });
  }

  /** Copies one direction, each chunk released {@code latencyMs} after it arrived, strictly in order. */
  private void forward(Pipe pipe, NetSocket from, NetSocket to) {
    ArrayDeque<Delayed> queue = new ArrayDeque<>();
    from.handler(chunk -> {
      if (pipe.dead) {
        return;
      }
      long delay = latencyMs;
      if (delay == 0 && queue.isEmpty()) {
        to.write(chunk);
        return;
      }
      queue.add(new Delayed(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay), chunk.copy()));
      if (queue.size() == 1) {
        release(pipe, queue, to);
      }
    });
  }

  private void release(Pipe pipe, ArrayDeque<Delayed> queue, NetSocket to) {
    long wait = TimeUnit.NANOSECONDS.toMillis(queue.peek().due() - System.nanoTime());
    vertx.setTimer(Math.max(1, wait), t -> {
      long now = System.nanoTime();
      while (!queue.isEmpty() && queue.peek().due() <= now) {
        Buffer chunk = queue.poll().chunk();
        if (!pipe.dead) {
          to.write(chunk);
        }
      }
      if (!queue.isEmpty()) {
        release(pipe, queue, to);
      }
    });
  }

  private record Delayed(long due, Buffer chunk) {
  }

  @Override
  public void close() {
    cut();
    Api.await(server.close());
    Api.await(client.close());
  }

  /** One proxied connection: the server's socket and ours to Redis. */
  private final class Pipe {
    final NetSocket inbound;
    volatile NetSocket outbound;
    volatile boolean dead;

    Pipe(NetSocket inbound) {
      this.inbound = inbound;
    }

    void close() {
      pipes.remove(this);
      inbound.close();
      if (outbound != null) {
        outbound.close();
      }
    }
  }
}
