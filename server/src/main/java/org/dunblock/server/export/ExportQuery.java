package org.dunblock.server.export;

import io.vertx.core.MultiMap;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.reputation.Category;
import org.dunblock.server.reputation.Verdict;

/** The query of {@code GET /v1/export}, validated at the edge. */
public record ExportQuery(
    Format format,
    Verdict minVerdict,
    Set<Category> categories,
    String sinceVersion,
    Long sinceMs,
    boolean gzip) {

  /** Versions look like {@code v1764000000000-3fa9c2d1}: the export's time in epoch ms and a random part. */
  public static final Pattern VERSION = Pattern.compile("v[0-9]{1,15}-[0-9a-f]{8}");
  private static final Set<String> PARAMETERS = Set.of("format", "minVerdict", "categories", "since", "gzip");

  public enum Format {
    CSV("text/csv; charset=utf-8"),
    JSONL("application/x-ndjson; charset=utf-8");

    private final String contentType;

    Format(String contentType) {
      this.contentType = contentType;
    }

    public String contentType() {
      return contentType;
    }
  }

  public static ExportQuery parse(MultiMap params) {
    for (String name : params.names()) {
      if (!PARAMETERS.contains(name)) {
        throw ApiException.badRequest("invalid_parameter", "Unknown query parameter '" + name
            + "'; an export takes format, minVerdict, categories, since and gzip.");
      }
      if (params.getAll(name).size() > 1) {
        throw ApiException.badRequest("invalid_parameter", "Give '" + name + "' once.");
      }
    }
    Format format = switch (value(params, "format", "csv")) {
      case "csv" -> Format.CSV;
      case "jsonl" -> Format.JSONL;
      default -> throw ApiException.badRequest("invalid_parameter", "format is csv or jsonl.");
    };
    Verdict minVerdict = switch (value(params, "minVerdict", "WARN")) {
      case "WARN" -> Verdict.WARN;
      case "BLOCK" -> Verdict.BLOCK;
      default -> throw ApiException.badRequest("invalid_parameter", "minVerdict is WARN or BLOCK.");
    };
    Set<Category> categories = EnumSet.noneOf(Category.class);
    String rawCategories = value(params, "categories", "");
    if (!rawCategories.isEmpty()) {
      for (String part : rawCategories.split(",", -1)) {
        categories.add(Category.parse(part.trim()).orElseThrow(() -> ApiException.badRequest("invalid_parameter",
            "categories is a comma-separated list of " + EnumSet.allOf(Category.class) + "; got '" + part + "'.")));
      }
    }
    String since = value(params, "since", "");
    String sinceVersion = null;
    Long sinceMs = null;
    if (VERSION.matcher(since).matches()) {
      sinceVersion = since;
    } else if (!since.isEmpty()) {
      // An unescaped '+' of a zone offset arrives as a space.
      sinceMs = time(since.replace(' ', '+'));
    }
    boolean gzip = switch (value(params, "gzip", "false")) {
      case "true" -> true;
      case "false" -> false;
      default -> throw ApiException.badRequest("invalid_parameter", "gzip is true or false.");
    };
    return new ExportQuery(format, minVerdict, Collections.unmodifiableSet(categories), sinceVersion, sinceMs, gzip);
  }

  private static String value(MultiMap params, String name, String fallback) {
    String v = params.get(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private static long time(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeParseException e2) {
        throw ApiException.badRequest("invalid_parameter", "since is an export version (v...-...) or an ISO-8601 "
            + "time with a zone such as 2026-11-22T00:00:00Z (write + as %2B).");
      }
    }
  }

  /**
   * The filters that decide which numbers an export lists, canonically: two exports can be diffed only when
   * these are equal. Format and compression do not matter.
   */
  public String filters() {
    return "minVerdict=" + minVerdict + ";categories="
        + categories.stream().map(Enum::name).collect(Collectors.joining(","));
  }
}
