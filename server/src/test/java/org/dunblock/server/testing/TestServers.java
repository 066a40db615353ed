package org.dunblock.server.testing;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.dunblock.server.DunblockServer;
import org.dunblock.server.config.DunblockConfig;

/** Builds configurations for servers under test: a random port, loopback as trusted proxy, a fixed secret. */
public final class TestServers {
  /** The secret every test server shares (jar processes in tests get it as DUNBLOCK_SECRET). */
  public static final String SECRET = "test-secret-0123456789abcdef";

  private TestServers() {
  }

  public static DunblockConfig.Builder config(TestRedis redis) {
    return DunblockConfig.builder()
        .host("127.0.0.1")
        .port(TestRedis.freePort())
        .redisUrl(redis.url())
        .eventLoops(1)
        // Tests simulate reporters on many networks with X-Forwarded-For from loopback.
        .trustedProxies(List.of("127.0.0.1", "::1"))
        .secret(SECRET)
        .filterExpectedNumbers(100_000)
        .lookupTimeout(Duration.ofSeconds(2))
        // Every test reporter asks for its token from loopback: lift the per-network token and report limits
        // (SybilIT sets them back to the defaults).
        .tokensPerNetworkPerDay(1_000_000)
        .reportsPerReporterPerDay(1_000_000)
        .reportsPerNetworkPerDay(1_000_000)
        // Tests look up far more numbers from loopback than any client would (LookupLimitIT turns the limit on).
        .lookupsPerClientPerMinute(0);
  }

  public static DunblockServer start(DunblockConfig.Builder config) {
    return DunblockServer.start(config.build(), Clock.systemUTC());
  }

  public static DunblockServer start(DunblockConfig.Builder config, Clock clock) {
    return DunblockServer.start(config.build(), clock);
  }
}
