package org.dunblock.gatling;

import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * What the simulations share: where the server is, how hard and how long to push it (system properties, so one
 * command line sets them), and the numbers they draw: unreported ones (random valid CN mobiles under prefixes the
 * preload never uses) and reported ones (the range load-tests/export/Preload.java writes, +86 130 0000 0000 on).
 *
 * <pre>
 *   -Ddunblock.url=http://127.0.0.1:8080  -Ddunblock.rate=200 (new users per second)  -Ddunblock.seconds=30
 *   -Ddunblock.reported=1000000 (how many numbers were preloaded)  -Ddunblock.adminKey=... (exports)
 *   -Ddunblock.connections=64 (connections shared by all users)
 * </pre>
 */
final class Traffic {
  static final String URL = System.getProperty("dunblock.url", "http://127.0.0.1:8080");
  static final double RATE = Double.parseDouble(System.getProperty("dunblock.rate", "200"));
  static final Duration DURATION = Duration.ofSeconds(Long.getLong("dunblock.seconds", 30));
  static final int REPORTED = Integer.getInteger("dunblock.reported", 1_000_000);
  static final String ADMIN_KEY = System.getProperty("dunblock.adminKey", "");
  /** p99 bound (ms) the lookup assertions hold the server to; generous, as Gatling shares the cores. */
  static final int P99_MS = Integer.getInteger("dunblock.p99Ms", 250);
  /** Connections the simulated clients share (bench.sh's generators use 32 to 64). */
  static final int CONNECTIONS = Integer.getInteger("dunblock.connections", 64);

  private static final String[] PREFIXES = {"131", "132", "133", "134", "135", "136", "137", "138", "139", "150",
      "151", "152", "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "184", "185", "187", "188",
      "189"};

  private Traffic() {
  }

  static HttpProtocolBuilder protocol() {
    // Shared connections, as an app's HTTP client keeps them: per-user connections would measure handshakes. Shared,
    // they are also capped per host (6 by default, a browser's figure), so a request waits for one of those six
    // whenever six are busy: a queue in the generator, not in the server. A fleet of phones has many more.
    return http.baseUrl(URL).acceptHeader("application/json").shareConnections()
        .maxConnectionsPerHost(CONNECTIONS);
  }

  static String unreported() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "+86" + PREFIXES[r.nextInt(PREFIXES.length)] + (100_000_000 + r.nextInt(100_000_000) + "").substring(1);
  }

  static String reported() {
    return "+86" + (13_000_000_000L + ThreadLocalRandom.current().nextInt(REPORTED));
  }

  /** A client address in 198.18.0.0/15 (reserved for benchmarks), sent as X-Forwarded-For. */
  static String network() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "198." + (18 + r.nextInt(2)) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
  }

  /** An endless feeder of one value per user. */
  static Iterator<Map<String, Object>> feeder(String key, java.util.function.Supplier<Object> value) {
    return Stream.generate(() -> Map.<String, Object>of(key, value.get())).iterator();
  }
}
