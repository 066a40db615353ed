package org.dunblock.server.keys;

import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import org.dunblock.server.config.DunblockConfig;
import org.dunblock.server.store.RedisForCli;

/**
 * {@code java -jar dunblock-server.jar keys create --role operator [--label TEXT] | list | revoke ID}.
 * Talks to the same Redis the server uses (DUNBLOCK_REDIS_URL, or the embedded one under DUNBLOCK_DATA_DIR).
 */
public final class KeysCli {
  static final String USAGE = """
      usage: java -jar dunblock-server.jar keys create --role operator|admin [--label TEXT]
             java -jar dunblock-server.jar keys list
             java -jar dunblock-server.jar keys revoke KEY_ID [--reason TEXT]""";

  private KeysCli() {
  }

  /** Runs the command and returns the process exit code. */
  public static int run(List<String> args, DunblockConfig config, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      err.println(USAGE);
      return 2;
    }
    String command = args.get(0);
    List<String> rest = args.subList(1, args.size());
    try (RedisForCli redis = RedisForCli.open(config.redis())) {
      KeyRegistry registry = new KeyRegistry(redis.commands(), Clock.systemUTC());
      String actor = "cli:" + System.getProperty("user.name", "unknown");
      switch (command) {
        case "create" -> {
          Role role = option(rest, "--role").flatMap(Role::parse).orElse(null);
          if (role == null) {
            err.println("keys create needs --role operator or --role admin\n" + USAGE);
            return 2;
          }
          KeyRegistry.Minted minted = registry.create(role, option(rest, "--label").orElse(null), actor);
          err.println("Created " + role.wire() + " key " + minted.key().id()
              + ". It is shown once; store it now. Dunblock keeps only its hash.");
          out.println(minted.secret());
          return 0;
        }
        case "list" -> {
          out.printf("%-12s  %-8s  %-24s  %-24s  %s%n", "ID", "ROLE", "CREATED", "REVOKED", "LABEL");
          for (ApiKey key : registry.list()) {
            out.printf("%-12s  %-8s  %-24s  %-24s  %s%n", key.id(), key.role().wire(), key.createdAt(),
                key.revokedAt() == null ? "-" : key.revokedAt(), key.label());
          }
          return 0;
        }
        case "revoke" -> {
          if (rest.isEmpty() || rest.get(0).startsWith("--")) {
            err.println("keys revoke needs a key id (see keys list)\n" + USAGE);
            return 2;
          }
          return registry.revoke(rest.get(0), actor, option(rest, "--reason").orElse("revoked from the CLI"))
              .map(key -> {
                out.println("Revoked " + key.id() + " at " + key.revokedAt());
                return 0;
              })
              .orElseGet(() -> {
                err.println("No key with id " + rest.get(0));
                return 1;
              });
        }
        default -> {
          err.println("unknown keys command '" + command + "'\n" + USAGE);
          return 2;
        }
      }
    }
  }

  static java.util.Optional<String> option(List<String> args, String name) {
    int i = args.indexOf(name);
    if (i < 0 || i + 1 >= args.size()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(args.get(i + 1));
  }
}
