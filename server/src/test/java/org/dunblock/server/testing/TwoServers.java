package org.dunblock.server.testing;

import java.time.Clock;
import java.util.function.UnaryOperator;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two instances A and B on one {@link TestRedis}, as a scaled-out deployment runs them, for tests of what one
 * instance's write does to the other's answers: {@code @RegisterExtension final TwoServers both = TwoServers.on(redis);}.
 */
public final class TwoServers implements BeforeEachCallback, AfterEachCallback {
  private final RunningServer a;
  private final RunningServer b;

  private TwoServers(TestRedis redis) {
    this.a = RunningServer.on(redis);
    this.b = RunningServer.on(redis);
  }

  public static TwoServers on(TestRedis redis) {
    return new TwoServers(redis);
  }

  /** The same configuration change for both instances. */
  public TwoServers with(UnaryOperator<DunblockConfig.Builder> change) {
    a.with(change);
    b.with(change);
    return this;
  }

  public TwoServers clock(Clock value) {
    a.clock(value);
    b.clock(value);
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    a.beforeEach(context);
    b.beforeEach(context);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    try {
      a.afterEach(context);
    } finally {
      b.afterEach(context);
    }
  }

  public DunblockServer a() {
    return a.server();
  }

  public DunblockServer b() {
    return b.server();
  }

  public Api apiA() {
    return a.api();
  }

  public Api apiB() {
    return b.api();
  }
}
