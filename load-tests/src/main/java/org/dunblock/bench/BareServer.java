package org.dunblock.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dunblock.server.reputation.Reputation;

/**
 * The HTTP ceiling of the machine for bench.sh: the same Vert.x, the same number of event loops and one server
 * instance per loop as Dunblock, answering every request with the body and headers of Dunblock's answer for an
 * unreported number, and doing nothing else. Dunblock's throughput is quoted as a fraction of this one's.
 *
 *   java -cp load-tests/target/benchmarks.jar org.dunblock.bench.BareServer 2 0    # event loops, port (0: free)
 */
public final class BareServer {
  private BareServer() {
  }

  public static void main(String[] args) throws Exception {
    int eventLoops = Integer.parseInt(args[0]);
    int port = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    int actual = start(vertx, eventLoops, port).await(30, TimeUnit.SECONDS);
    // bench.sh reads the port from this line.
    System.out.println("Bare Vert.x listening on 127.0.0.1:" + actual + " with " + eventLoops + " event loops");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
  }

  /** Deploys {@code instances} servers sharing {@code port} (0: a free one) on loopback; returns the port. */
  public static Future<Integer> start(Vertx vertx, int instances, int port) {
    Buffer body = Reputation.unreported("+8613700137000").toJson().toBuffer();
    AtomicInteger actual = new AtomicInteger();
    return vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        HttpServer server = vertx.createHttpServer().requestHandler(request -> request.response()
            .putHeader("Cache-Control", "public, max-age=60")
            .putHeader("Content-Type", "application/json; charset=utf-8")
            .end(body));
        return server.listen(port, "127.0.0.1").onSuccess(s -> actual.compareAndSet(0, s.actualPort()));
      }
    }, new DeploymentOptions().setInstances(instances)).map(id -> actual.get());
  }
}
