package org.dunblock.server.imports;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.reputation.Category;

/**
 * How to read a list in the shape its publisher chose: which column (a header name or a 1-based index; a field name
 * for JSON lines) holds the number, the category, a note and a date; the delimiter and whether there is a header
 * (both detected from the first lines when not given); a comment prefix; the category for rows without one and a map
 * from the list's own values to Dunblock's categories; and whether this is a dry run. The same names are query
 * parameters of {@code POST /v1/admin/import} and flags of the {@code import} CLI.
 *
 * <p>Parameters are checked here, before any of the body is read; whether a named column exists is checked against
 * the list's header when it arrives, still before anything is stored ({@link ImportLines}).
 */
record ImportOptions(
    ImportLines.Format format,
    Character delimiter,
    Header header,
    String comment,
    Column numberColumn,
    Column categoryColumn,
    Column noteColumn,
    Column occurredColumn,
    Category defaultCategory,
    Map<String, Category> categoryMap,
    boolean dryRun) {

  /** The parameter names, shared by the endpoint and the CLI. */
  static final List<String> PARAMETERS = List.of("numberColumn", "categoryColumn", "noteColumn", "occurredColumn",
      "delimiter", "header", "comment", "category", "categoryMap", "dryRun");
  static final int MAX_CATEGORY_MAP = 200;
  static final int MAX_COMMENT = 8;

  /** Whether the first line (after comments and blank lines) names the columns. */
  enum Header {
    TRUE,
    FALSE,
    DETECT
  }

  /** A column: a header name (case-insensitive; a field name for JSON lines) or a 1-based index. */
  record Column(String name, int index) {
    static Column of(String param, String raw) {
      String text = raw.trim();
      if (text.isEmpty() || text.length() > 100) {
        throw ApiException.badRequest("invalid_column", "'" + param + "' is a header name or a 1-based column index.");
      }
      if (text.chars().allMatch(Character::isDigit)) {
        int index = text.length() > 4 ? -1 : Integer.parseInt(text);
        if (index < 1 || index > 1000) {
          throw ApiException.badRequest("invalid_column", "'" + param + "' as an index is 1 to 1000.");
        }
        return new Column(null, index);
      }
      return new Column(text, 0);
    }

    boolean named() {
      return name != null;
    }

    @Override
    public String toString() {
      return named() ? name : Integer.toString(index);
    }
  }

  /** The options an import without any of these parameters has: the historic number[,category[,note]] shape. */
  static ImportOptions defaults(ImportLines.Format format) {
    return new ImportOptions(format, null, Header.DETECT, null, null, null, null, null,
        ImportLines.DEFAULT_CATEGORY, Map.of(), false);
  }

  /** Reads the parameters ({@code param} answers null for an absent one); a wrong one is a 400. */
  static ImportOptions parse(ImportLines.Format format, Function<String, String> param) {
    Character delimiter = delimiter(param.apply("delimiter"));
    Header header = header(param.apply("header"));
    String comment = param.apply("comment");
    if (comment != null && (comment.isEmpty() || comment.length() > MAX_COMMENT || comment.isBlank())) {
      throw ApiException.badRequest("invalid_comment", "'comment' is a prefix of 1 to " + MAX_COMMENT
          + " characters, e.g. #.");
    }
    Column number = column(param, "numberColumn");
    Column category = column(param, "categoryColumn");
    Column note = column(param, "noteColumn");
    Column occurred = column(param, "occurredColumn");
    Category defaultCategory = ImportLines.DEFAULT_CATEGORY;
    String rawCategory = param.apply("category");
    if (rawCategory != null) {
      defaultCategory = Category.parse(rawCategory.trim().toUpperCase(Locale.ROOT)).orElseThrow(() ->
          ApiException.badRequest("invalid_category", "'category' is one of "
              + java.util.Arrays.toString(Category.values()) + "."));
    }
    Map<String, Category> map = categoryMap(param.apply("categoryMap"));
    boolean dryRun = bool(param.apply("dryRun"), "dryRun");
    if (format == ImportLines.Format.JSONL) {
      if (delimiter != null || header != Header.DETECT || comment != null) {
        throw ApiException.badRequest("invalid_parameter",
            "'delimiter', 'header' and 'comment' are for CSV; JSON lines name their fields.");
      }
      for (Column c : new Column[] {number, category, note, occurred}) {
        if (c != null && !c.named()) {
          throw ApiException.badRequest("invalid_column", "JSON lines name their fields: give a field name, "
              + "not the index " + c.index() + ".");
        }
      }
    }
    boolean anyNamed = number != null && number.named() || category != null && category.named()
        || note != null && note.named() || occurred != null && occurred.named();
    if (anyNamed && header == Header.FALSE && format == ImportLines.Format.CSV) {
      throw ApiException.badRequest("invalid_column",
          "A column can be named only when the list has a header; with header=false give its 1-based index.");
    }
    return new ImportOptions(format, delimiter, anyNamed && format == ImportLines.Format.CSV ? Header.TRUE : header,
        comment, number, category, note, occurred, defaultCategory, map, dryRun);
  }

  /** Whether any column was chosen by the operator (else the historic positional shape applies). */
  boolean mapped() {
    return numberColumn != null || categoryColumn != null || noteColumn != null || occurredColumn != null;
  }

  /**
   * The parameters as given, for the audit entry (only those that differ from the defaults; the delimiter and the
   * header, given or detected, are added by the import). The category map is written out whole (its values
   * lower-cased, as they are matched): it is bounded by its {@link #MAX_CATEGORY_MAP} entries and the request line.
   */
  String describe() {
    List<String> parts = new ArrayList<>();
    if (comment != null) {
      parts.add("comment " + comment);
    }
    column(parts, "numberColumn", numberColumn);
    column(parts, "categoryColumn", categoryColumn);
    column(parts, "noteColumn", noteColumn);
    column(parts, "occurredColumn", occurredColumn);
    if (defaultCategory != ImportLines.DEFAULT_CATEGORY) {
      parts.add("category " + defaultCategory);
    }
    if (!categoryMap.isEmpty()) {
      JsonObject map = new JsonObject();
      categoryMap.forEach((value, category) -> map.put(value, category.name()));
      parts.add("categoryMap " + map.encode());
    }
    if (dryRun) {
      parts.add("dry run");
    }
    return String.join(", ", parts);
  }

  private static void column(List<String> parts, String name, Column column) {
    if (column != null) {
      parts.add(name + " " + column);
    }
  }

  private static Column column(Function<String, String> param, String name) {
    String raw = param.apply(name);
    return raw == null ? null : Column.of(name, raw);
  }

  private static Character delimiter(String raw) {
    if (raw == null) {
      return null;
    }
    return switch (raw) {
      case "," -> ',';
      case ";" -> ';';
      case "|" -> '|';
      case "tab", "\t", "TAB" -> '\t';
      default -> throw ApiException.badRequest("invalid_delimiter", "'delimiter' is one of , ; | tab.");
    };
  }

  private static Header header(String raw) {
    if (raw == null) {
      return Header.DETECT;
    }
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true" -> Header.TRUE;
      case "false" -> Header.FALSE;
      case "detect" -> Header.DETECT;
      default -> throw ApiException.badRequest("invalid_header", "'header' is true, false or detect.");
    };
  }

  private static boolean bool(String raw, String name) {
    if (raw == null) {
      return false;
    }
    return switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw ApiException.badRequest("invalid_parameter", "'" + name + "' is true or false.");
    };
  }

  private static Map<String, Category> categoryMap(String raw) {
    if (raw == null) {
      return Map.of();
    }
    JsonObject json;
    try {
      json = new JsonObject(raw);
    } catch (DecodeException | ClassCastException e) {
      throw ApiException.badRequest("invalid_category_map",
          "'categoryMap' is a JSON object from the list's values to categories, e.g. {\"Debt collection\":\"DEBT_COLLECTION\"}.");
    }
    if (json.size() > MAX_CATEGORY_MAP) {
      throw ApiException.badRequest("invalid_category_map", "'categoryMap' maps at most " + MAX_CATEGORY_MAP
          + " values.");
    }
    Map<String, Category> map = new LinkedHashMap<>();
    for (String key : json.fieldNames()) {
      Object value = json.getValue(key);
      Optional<Category> category = value instanceof String s
          ? Category.parse(s.trim().toUpperCase(Locale.ROOT)) : Optional.empty();
      if (category.isEmpty()) {
        throw ApiException.badRequest("invalid_category_map", "'categoryMap' maps '" + abbreviate(key)
            + "' to something that is not one of " + java.util.Arrays.toString(Category.values()) + ".");
      }
      map.put(key.trim().toLowerCase(Locale.ROOT), category.get());
    }
    return java.util.Collections.unmodifiableMap(map);
  }

  static String abbreviate(String s) {
    String printable = s.replaceAll("\\p{C}", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
  }
}
