package org.dunblock.server;

import java.time.Clock;
import java.util.List;
import org.dunblock.server.config.ConfigException;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.imports.ImportCli;
import org.dunblock.server.keys.KeysCli;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar dunblock-server.jar}: configuration from DUNBLOCK_* variables, stop with SIGTERM. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    DunblockConfig config;
    try {
      config = DunblockConfig.fromEnv(System.getenv());
    } catch (ConfigException e) {
      System.err.println("Configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (args.length > 0) {
      if (args[0].equals("keys")) {
        System.exit(KeysCli.run(List.of(args).subList(1, args.length), config, System.out, System.err));
      }
      if (args[0].equals("import")) {
        System.exit(ImportCli.run(List.of(args).subList(1, args.length), System.out, System.err,
            System.console() != null));
      }
      System.err.println("usage: java -jar dunblock-server.jar            run the server (DUNBLOCK_* variables)\n"
          + "       java -jar dunblock-server.jar keys ...   manage operator and admin API keys\n"
          + "       java -jar dunblock-server.jar import ... stream a CSV or JSON-lines list to a server's bulk import");
      System.exit(2);
    }
    LOG.info("Starting Dunblock: {}", config.describe());
    DunblockServer server;
    try {
      server = DunblockServer.start(config, Clock.systemUTC());
    } catch (ConfigException e) {
      // Some settings can only be checked against Redis (a revoked DUNBLOCK_ADMIN_KEY): the same clear refusal.
      System.err.println("Configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "dunblock-shutdown"));
  }
}
