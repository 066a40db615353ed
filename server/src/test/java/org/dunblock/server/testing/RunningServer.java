package org.dunblock.server.testing;

import java.time.Clock;
import java.util.function.UnaryOperator;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real server on a class's {@link TestRedis}, started (and ready) before each test and stopped after it, with an
 * {@link Api} to talk to it: {@code @RegisterExtension final RunningServer app = RunningServer.on(redis);}.
 */
public final class RunningServer implements BeforeEachCallback, AfterEachCallback {
  private final TestRedis redis;
  private UnaryOperator<DunblockConfig.Builder> settings = UnaryOperator.identity();
  private Clock clock = Clock.systemUTC();
  private DunblockServer server;
  private Api api;

  private RunningServer(TestRedis redis) {
    this.redis = redis;
  }

  public static RunningServer on(TestRedis redis) {
    return new RunningServer(redis);
  }

  /** Changes the test configuration ({@link TestServers#config}) before the server starts. */
  public RunningServer with(UnaryOperator<DunblockConfig.Builder> change) {
    this.settings = change;
    return this;
  }

  public RunningServer clock(Clock value) {
    this.clock = value;
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    server = TestServers.start(settings.apply(TestServers.config(redis)), clock);
    api = new Api(server.vertx(), server.port());
    Conditions.waitReady(api);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    api.close();
    server.close();
  }

  public DunblockServer server() {
    return server;
  }

  /** Where a browser or plain HTTP client reaches the server, without a trailing slash. */
  public String baseUrl() {
    return "http://127.0.0.1:" + server().port();
  }

  public Api api() {
    return api;
  }
}
