package org.dunblock.client.cli;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.dunblock.client.Category;
import org.dunblock.client.DunblockClient;
import org.dunblock.client.DunblockClientOptions;
import org.dunblock.client.DunblockException;
import org.dunblock.client.Report;
import org.dunblock.client.internal.Text;

/**
 * A small runnable example of the SDK.
 *
 * <pre>
 * java -jar client-sdk/target/dunblock-client-cli.jar [--url URL] [--cache-dir DIR] [--region CC] COMMAND ...
 *   screen NUMBER...          call-screening answers (syncs the filter first)
 *   lookup NUMBER...          server lookups
 *   report NUMBER CATEGORY    report a number (queued if offline)
 *   flush                     deliver queued reports
 *   sync                      sync the filter and show its status
 * </pre>
 * The URL defaults to $DUNBLOCK_URL or http://localhost:8080/, the cache dir to $DUNBLOCK_CACHE_DIR or
 * ~/.cache/dunblock.
 */
public final class DunblockCli {
  private DunblockCli() {
  }

  public static void main(String[] argv) {
    System.exit(run(argv));
  }

  static int run(String[] argv) {
    String url = envOr("DUNBLOCK_URL", "http://localhost:8080/");
    String cacheDir = envOr("DUNBLOCK_CACHE_DIR", System.getProperty("user.home") + "/.cache/dunblock");
    String region = DunblockClientOptions.DEFAULT_REGION;
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    while (!args.isEmpty() && args.get(0).startsWith("--")) {
      String flag = args.remove(0);
      if (args.isEmpty()) {
        return usage("missing value for " + flag);
      }
      switch (flag) {
        case "--url": url = args.remove(0); break;
        case "--cache-dir": cacheDir = args.remove(0); break;
        case "--region": region = args.remove(0).toUpperCase(Locale.ROOT); break;
        default: return usage("unknown option " + flag);
      }
    }
    if (args.isEmpty()) {
      return usage(null);
    }
    String command = args.remove(0);
    DunblockClientOptions options = DunblockClientOptions.builder()
        .baseUrl(url).cacheDir(new File(cacheDir)).defaultRegion(region).backgroundSync(false)
        .readTimeout(Duration.ofSeconds(30)).build();
    try (DunblockClient client = DunblockClient.create(options)) {
      switch (command) {
        case "screen":
          trySync(client);
          for (String n : args) {
            System.out.println(client.screen(n));
          }
          return 0;
        case "lookup":
          for (String n : args) {
            System.out.println(client.lookup(n));
          }
          return 0;
        case "report":
          if (args.size() != 2) {
            return usage("report NUMBER CATEGORY");
          }
          System.out.println(client.report(Report.builder(args.get(0),
              Category.valueOf(args.get(1).toUpperCase(Locale.ROOT))).build()));
          return 0;
        case "flush":
          System.out.println("delivered " + client.deliverQueuedReports() + ", pending " + client.pendingReports());
          return 0;
        case "sync":
          System.out.println(client.syncFilter());
          return 0;
        default:
          return usage("unknown command " + command);
      }
    } catch (DunblockException e) {
      System.err.println("error: " + e);
      return 1;
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    }
  }

  private static void trySync(DunblockClient client) {
    try {
      client.syncFilter();
    } catch (DunblockException e) {
      System.err.println("filter sync failed (" + e.code() + "); screening without a fresh filter");
    }
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return Text.isBlank(v) ? fallback : v;
  }

  private static int usage(String problem) {
    if (problem != null) {
      System.err.println("error: " + problem);
    }
    System.err.println("usage: java -jar dunblock-client-cli.jar [--url URL] [--cache-dir DIR] [--region CC] "
        + "screen|lookup NUMBER... | report NUMBER CATEGORY | flush | sync");
    return 2;
  }
}
