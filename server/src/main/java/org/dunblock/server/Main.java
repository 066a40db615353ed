package org.dunblock.server;

import java.time.Clock;
import org.dunblock.server.config.ConfigException;
import org.dunblock.server.config.DunblockConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar dunblock-server.jar}: configuration from DUNBLOCK_* variables, stop with SIGTERM. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0) {
      System.err.println("usage: java -jar dunblock-server.jar   (configure with DUNBLOCK_* environment variables)");
      System.exit(2);
    }
    DunblockConfig config;
    try {
      config = DunblockConfig.fromEnv(System.getenv());
    } catch (ConfigException e) {
      System.err.println("Configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    LOG.info("Starting Dunblock: {}", config.describe());
    DunblockServer server = DunblockServer.start(config, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "dunblock-shutdown"));
  }
}
