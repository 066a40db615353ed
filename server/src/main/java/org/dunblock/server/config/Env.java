package org.dunblock.server.config;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Typed reads of DUNBLOCK_* variables that remember which were read, so typos fail the start. */
final class Env {
  private final Map<String, String> env;
  private final Set<String> read = new HashSet<>();

  Env(Map<String, String> env) {
    this.env = env;
  }

  Optional<String> optional(String name) {
    read.add(name);
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(s -> !s.isEmpty());
  }

  String string(String name, String fallback) {
    return optional(name).orElse(fallback);
  }

  int integer(String name, int fallback) {
    return optional(name).map(v -> {
      try {
        return Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new ConfigException(name, "must be an integer, got '" + v + "'");
      }
    }).orElse(fallback);
  }

  long longValue(String name, long fallback) {
    return optional(name).map(v -> {
      try {
        return Long.parseLong(v.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new ConfigException(name, "must be an integer, got '" + v + "'");
      }
    }).orElse(fallback);
  }

  double decimal(String name, double fallback) {
    return optional(name).map(v -> {
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new ConfigException(name, "must be a number, got '" + v + "'");
      }
    }).orElse(fallback);
  }

  boolean bool(String name, boolean fallback) {
    return optional(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ConfigException(name, "must be true or false, got '" + v + "'");
    }).orElse(fallback);
  }

  List<String> list(String name) {
    return optional(name)
        .map(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
        .orElse(List.of());
  }

  void rejectUnknown() {
    for (String name : env.keySet()) {
      if (name.startsWith("DUNBLOCK_") && !read.contains(name)) {
        throw new ConfigException(name, "is not a Dunblock setting (see the configuration table in README.md)");
      }
    }
  }
}
