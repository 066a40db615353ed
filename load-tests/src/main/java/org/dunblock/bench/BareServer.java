package org.dunblock.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.http.ApiVerticle;
import org.dunblock.server.reputation.Reputation;

/**
 * The HTTP ceiling of the machine for bench.sh: the same Vert.x, the same number of event loops and one server
 * instance per loop as Dunblock, answering every request with the body and headers of Dunblock's answer for an
 * unreported number, and doing nothing else. Dunblock's throughput is quoted as a fraction of this one's.
 *
 * <p>{@code configured}: the same, but with Vert.x and its HTTP server set up exactly as Dunblock's
 * ({@link DunblockServer#vertx}: metrics into a Prometheus registry; {@link ApiVerticle#options}: idle timeout,
 * compression negotiation, header limits). The gap between the two ceilings is what those framework features cost
 * per request before any Dunblock code runs; the gap from this one to Dunblock is Dunblock's own.
 *
 * {@code metrics} and {@code options} take one half of that each (Dunblock's Vert.x with plain HTTP options, plain
 * Vert.x with Dunblock's HTTP options), to tell which half costs what; {@code idle} and {@code compression} are
 * Dunblock's HTTP options without compression negotiation and without the idle timeout respectively.
 *
 *   java -cp load-tests/target/benchmarks.jar org.dunblock.bench.BareServer 2 0 [configured|metrics|options]
 */
public final class BareServer {
  private BareServer() {
  }

  public static void main(String[] args) throws Exception {
    int eventLoops = Integer.parseInt(args[0]);
    int port = Integer.parseInt(args[1]);
    String mode = args.length > 2 ? args[2] : "bare";
    boolean configured = "configured".equals(mode);
    Vertx vertx = configured || "metrics".equals(mode)
        ? DunblockServer.vertx(config(eventLoops).http(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))
        : Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
    HttpServerOptions options = switch (mode) {
      case "configured", "options" -> ApiVerticle.options(config(eventLoops).http());
      case "idle" -> ApiVerticle.options(config(eventLoops).http()).setCompressionSupported(false);
      case "compression" -> ApiVerticle.options(config(eventLoops).http()).setIdleTimeout(0);
      default -> new HttpServerOptions();
    };
    int actual = start(vertx, eventLoops, port, options).await(30, TimeUnit.SECONDS);
    // bench.sh reads the port from this line.
    System.out.println("Bare Vert.x listening on 127.0.0.1:" + actual + " with " + eventLoops + " event loops"
        + (configured ? ", configured as Dunblock" : "bare".equals(mode) ? "" : ", Dunblock's " + mode + " only"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
  }

  /** Dunblock's defaults, as a server started without any DUNBLOCK_ variable but the event loops has them. */
  private static DunblockConfig config(int eventLoops) {
    return DunblockConfig.fromEnv(Map.of("DUNBLOCK_EVENT_LOOPS", Integer.toString(eventLoops)));
  }

  /** Deploys {@code instances} servers sharing {@code port} (0: a free one) on loopback; returns the port. */
  public static Future<Integer> start(Vertx vertx, int instances, int port) {
    return start(vertx, instances, port, new HttpServerOptions());
  }

  private static Future<Integer> start(Vertx vertx, int instances, int port, HttpServerOptions options) {
    Buffer body = Reputation.unreported("+8613700137000").toJson().toBuffer();
    AtomicInteger actual = new AtomicInteger();
    return vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        HttpServer server = vertx.createHttpServer(options)
            .requestHandler(request -> request.response()
                .putHeader("Cache-Control", "public, max-age=60")
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .end(body));
        // Port 0 would give each instance a port of its own (and all the traffic to the first); -1 is one random
        // port shared by every instance, as a fixed port is.
        return server.listen(port == 0 ? -1 : port, "127.0.0.1")
            .onSuccess(s -> actual.compareAndSet(0, s.actualPort()));
      }
    }, new DeploymentOptions().setInstances(instances)).map(id -> actual.get());
  }
}
