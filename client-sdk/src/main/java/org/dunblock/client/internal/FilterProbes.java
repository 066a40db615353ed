package org.dunblock.client.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which filter keys to probe for a number, as the server describes them in {@code X-Filter-Probes} (grammar in
 * client-sdk/README.md): {@code exact} (the number itself); {@code prefix key=K min=M short=S} ({@code K + prefix} for
 * every prefix of M up to length - S characters); {@code range key=K cut=C min=L} ({@code K + number without its last
 * C characters}, for numbers of at least L characters). Rules are separated by ';'. A rule or parameter this SDK does
 * not know makes the whole description unusable: a filter probed with missing rules could miss a listed number, so it
 * is refused and the server answers instead.
 */
public final class FilterProbes {
  /** The filter formats this SDK reads (sent as {@code ?format=}). */
  public static final int FORMAT = 1;
  /** Format 1's probes, for servers that predate {@code X-Filter-Probes} (the rules the SDK used to hard-code). */
  public static final String FORMAT_1_DEFAULT = "exact; prefix key=P: min=4 short=3; range key=R: cut=2 min=11";

  private final String text;
  private final boolean exact;
  private final List<int[]> prefixBounds = new ArrayList<>();
  private final List<String> prefixKeys = new ArrayList<>();
  private final List<int[]> rangeBounds = new ArrayList<>();
  private final List<String> rangeKeys = new ArrayList<>();

  private FilterProbes(String text) {
    this.text = text;
    boolean sawExact = false;
    for (String rule : text.split(";")) {
      String[] tokens = rule.trim().split("\\s+");
      Map<String, String> params = new HashMap<>();
      for (int i = 1; i < tokens.length; i++) {
        int eq = tokens[i].indexOf('=');
        if (eq <= 0 || params.put(tokens[i].substring(0, eq), tokens[i].substring(eq + 1)) != null) {
          throw new IllegalArgumentException("malformed probe parameter '" + tokens[i] + "'");
        }
      }
      switch (tokens[0]) {
        case "exact":
          if (!params.isEmpty()) {
            throw new IllegalArgumentException("unknown parameters of 'exact': " + params.keySet());
          }
          sawExact = true;
          break;
        case "prefix":
          prefixKeys.add(key(params));
          prefixBounds.add(new int[] {number(params, "min", 1), number(params, "short", 0)});
          only(params, "prefix");
          break;
        case "range":
          rangeKeys.add(key(params));
          rangeBounds.add(new int[] {number(params, "cut", 1), number(params, "min", 1)});
          only(params, "range");
          break;
        default:
          throw new IllegalArgumentException("unknown probe rule '" + tokens[0] + "'");
      }
    }
    if (!sawExact) {
      throw new IllegalArgumentException("probes without 'exact'");
    }
    this.exact = true;
  }

  /** Parses a description; throws IllegalArgumentException for one this SDK cannot apply in full. */
  public static FilterProbes parse(String text) {
    if (text == null || Text.isBlank(text) || text.length() > 1000) {
      throw new IllegalArgumentException("no probe rules");
    }
    return new FilterProbes(text.trim());
  }

  private static String key(Map<String, String> params) {
    String key = params.get("key");
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("probe rule without key");
    }
    return key;
  }

  private static int number(Map<String, String> params, String name, int least) {
    try {
      int v = Integer.parseInt(params.get(name));
      if (v < least || v > 64) {
        throw new IllegalArgumentException("probe parameter " + name + " out of range: " + v);
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("probe parameter " + name + " missing or not a number");
    }
  }

  private static void only(Map<String, String> params, String rule) {
    List<String> known = "prefix".equals(rule) ? Arrays.asList("key", "min", "short") : Arrays.asList("key", "cut", "min");
    if (!known.containsAll(params.keySet())) {
      List<String> unknown = new ArrayList<>(params.keySet());
      unknown.removeAll(known);
      throw new IllegalArgumentException("unknown parameters of '" + rule + "': " + unknown);
    }
  }

  /** True when {@code hit} is true for any key to probe for the number. */
  public boolean any(String e164, Predicate<String> hit) {
    if (exact && hit.test(e164)) {
      return true;
    }
    for (int i = 0; i < prefixKeys.size(); i++) {
      String key = prefixKeys.get(i);
      int[] b = prefixBounds.get(i);
      for (int end = b[0]; end <= e164.length() - b[1]; end++) {
        if (hit.test(key + e164.substring(0, end))) {
          return true;
        }
      }
    }
    for (int i = 0; i < rangeKeys.size(); i++) {
      int[] b = rangeBounds.get(i);
      if (e164.length() >= b[1] && hit.test(rangeKeys.get(i) + e164.substring(0, e164.length() - b[0]))) {
        return true;
      }
    }
    return false;
  }

  /** Every key probed for the number (for tests and diagnostics). */
  public List<String> keys(String e164) {
    List<String> keys = new ArrayList<>();
    any(e164, k -> {
      keys.add(k);
      return false;
    });
    return Collections.unmodifiableList(keys);
  }

  @Override
  public String toString() {
    return text;
  }
}
