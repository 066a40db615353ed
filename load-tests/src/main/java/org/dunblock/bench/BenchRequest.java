package org.dunblock.bench;

import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The requests of one bench.sh scenario, drawn at random: the Java twin of the wrk scripts in load-tests/wrk (same
 * shapes, same number ranges), so the saturation run (wrk) and the latency run ({@link OpenLoad}) send alike.
 *
 * <p>Numbers: unreported ones are random valid CN mobiles under prefixes the preload never uses; reported ones are
 * the preload's {@code +86 130 0xxx xxxx} range (every one of them is in the filter and in Redis). {@code cold}
 * draws uniformly from all of the preloaded numbers, {@code reported} uniformly from the first {@code hot} of them,
 * {@code zipf} from the same {@code hot} with a Zipf distribution ({@link #ZIPF_S}): the hot set a near cache can
 * hold, and the shape of an address-book explosion.
 */
public record BenchRequest(HttpMethod method, String path, String body, String token, String forwardedFor) {
  /** Mobile prefixes libphonenumber accepts for CN; 130 (the preload's) and 186 are left out. */
  private static final String[] PREFIXES = {"131", "132", "133", "134", "135", "136", "137", "138", "139", "150",
      "151", "152", "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "184", "185", "187", "188",
      "189"};
  static final int BATCH_SIZE = 20;
  static final long PRELOAD_FIRST = 13_000_000_000L;
  /** The Zipf exponent of the {@code zipf} scenario (and of lookup-zipf.lua). */
  public static final double ZIPF_S = 1.1;

  /** One scenario's request source. */
  public interface Source {
    BenchRequest next(SplittableRandom random);
  }

  public static Source source(String scenario, int reported, Path tokensFile) throws IOException {
    return source(scenario, reported, reported, tokensFile);
  }

  /**
   * @param reported how many numbers the preload wrote
   * @param hot how many of them {@code reported} and {@code zipf} draw from (at most {@code reported})
   */
  public static Source source(String scenario, int reported, int hot, Path tokensFile) throws IOException {
    int hotSet = Math.max(1, Math.min(hot, reported));
    return switch (scenario) {
      case "unreported" -> r -> get("/v1/numbers/%2B86" + unreported(r));
      case "cold" -> r -> get("/v1/numbers/%2B86" + (PRELOAD_FIRST + r.nextInt(reported)));
      case "reported" -> r -> get("/v1/numbers/%2B86" + (PRELOAD_FIRST + r.nextInt(hotSet)));
      case "zipf" -> {
        Zipf zipf = new Zipf(hotSet, ZIPF_S);
        yield r -> get("/v1/numbers/%2B86" + (PRELOAD_FIRST + zipf.next(r)));
      }
      case "batch" -> r -> {
        // 19 unreported, 1 reported: the 95/5 mix of real traffic, rounded.
        StringBuilder body = new StringBuilder("{\"numbers\":[");
        for (int i = 0; i < BATCH_SIZE; i++) {
          String national = i == 0 ? Long.toString(PRELOAD_FIRST + r.nextInt(reported)) : unreported(r);
          body.append(i == 0 ? "" : ",").append("\"+86").append(national).append('"');
        }
        return new BenchRequest(HttpMethod.POST, "/v1/numbers/lookup", body.append("]}").toString(), null, null);
      };
      case "report" -> {
        List<String> tokens = Files.readAllLines(tokensFile).stream().filter(s -> !s.isBlank()).toList();
        yield r -> new BenchRequest(HttpMethod.POST, "/v1/reports",
            "{\"number\":\"+86" + unreported(r) + "\",\"category\":\"DEBT_COLLECTION\"}",
            tokens.get(r.nextInt(tokens.size())), network(r));
      }
      default -> throw new IllegalArgumentException("unknown scenario " + scenario
          + " (unreported, cold, reported, zipf, batch, report)");
    };
  }

  private static BenchRequest get(String path) {
    return new BenchRequest(HttpMethod.GET, path, null, null, null);
  }

  private static String unreported(SplittableRandom r) {
    // 1xxxxxxxx minus its leading 1: eight digits with leading zeros, without a Formatter per request.
    return PREFIXES[r.nextInt(PREFIXES.length)] + Integer.toString(100_000_000 + r.nextInt(100_000_000)).substring(1);
  }

  /** A client address in 198.18.0.0/15 (reserved for benchmarks): 512 networks of /24. */
  private static String network(SplittableRandom r) {
    return "198." + (18 + r.nextInt(2)) + "." + r.nextInt(256) + "." + (1 + r.nextInt(254));
  }
}
