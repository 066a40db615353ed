package org.dunblock.server.imports;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Set;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.number.InvalidNumberException;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reputation.Category;

/**
 * Reads one line of an import: CSV {@code number[,category[,note]]} or a JSON object
 * {@code {"number", "category"?, "note"?}}. A line is an {@link Entry}, a CSV header, blank, or {@link Invalid}.
 */
final class ImportLines {
  static final int MAX_LINE = 2048;
  static final int MAX_NOTE = 1000;
  static final Category DEFAULT_CATEGORY = Category.DEBT_COLLECTION;
  private static final Set<String> JSON_FIELDS = Set.of("number", "category", "note");

  enum Format {
    CSV,
    JSONL;

    static java.util.Optional<Format> parse(String text) {
      if (text == null) {
        return java.util.Optional.of(CSV);
      }
      return switch (text.toLowerCase(Locale.ROOT)) {
        case "csv" -> java.util.Optional.of(CSV);
        case "jsonl", "ndjson" -> java.util.Optional.of(JSONL);
        default -> java.util.Optional.empty();
      };
    }
  }

  sealed interface Parsed permits Entry, Invalid, Skip {
  }

  /** A valid line: the number in E.164, its category and optional note. */
  record Entry(int line, String number, Category category, String note) implements Parsed {
  }

  /** A refused line, with a stable code and a message for people. */
  record Invalid(int line, String error, String reason) implements Parsed {
  }

  /** A blank line or a CSV header. */
  record Skip() implements Parsed {
  }

  private static final Skip SKIP = new Skip();

  private final Format format;
  private final PhoneNumberNormalizer normalizer;
  private final String region;
  private boolean sawContent;

  ImportLines(Format format, PhoneNumberNormalizer normalizer, String region) {
    this.format = format;
    this.normalizer = normalizer;
    this.region = region;
  }

  Parsed parse(int line, String raw) {
    String text = raw;
    if (line == 1 && text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.isBlank()) {
      return SKIP;
    }
    boolean first = !sawContent;
    sawContent = true;
    if (text.length() > MAX_LINE) {
      return new Invalid(line, "line_too_long", "The line is longer than " + MAX_LINE + " characters.");
    }
    return format == Format.CSV ? csv(line, text, first) : jsonl(line, text);
  }

  private Parsed csv(int line, String text, boolean first) {
    String[] fields = text.split(",", 3);
    String number = unquote(fields[0]);
    if (first && number.toLowerCase(Locale.ROOT).equals("number")) {
      return SKIP;
    }
    return entry(line, number, fields.length > 1 ? unquote(fields[1]) : null,
        fields.length > 2 ? unquote(fields[2]) : null);
  }

  private Parsed jsonl(int line, String text) {
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      return new Invalid(line, "invalid_json", "The line is not valid JSON.");
    }
    if (!(parsed instanceof JsonObject json)) {
      return new Invalid(line, "invalid_json", "The line must be a JSON object.");
    }
    for (String field : json.fieldNames()) {
      if (!JSON_FIELDS.contains(field)) {
        return new Invalid(line, "unknown_field", "Unknown field '" + abbreviate(field) + "'; allowed: "
            + JSON_FIELDS.stream().sorted().toList() + ".");
      }
    }
    Object number = json.getValue("number");
    if (number instanceof Number n && !(number instanceof Double) && !(number instanceof Float)) {
      number = n.toString();
    }
    if (number != null && !(number instanceof String)) {
      return new Invalid(line, "invalid_field", "'number' must be a string.");
    }
    Object category = json.getValue("category");
    if (category != null && !(category instanceof String)) {
      return new Invalid(line, "invalid_field", "'category' must be a string.");
    }
    Object note = json.getValue("note");
    if (note != null && !(note instanceof String)) {
      return new Invalid(line, "invalid_field", "'note' must be a string.");
    }
    return entry(line, (String) number, (String) category, (String) note);
  }

  private Parsed entry(int line, String rawNumber, String rawCategory, String rawNote) {
    if (rawNumber == null || rawNumber.isBlank()) {
      return new Invalid(line, "missing_field", "The line has no number.");
    }
    String number;
    try {
      number = normalizer.normalize(rawNumber.trim(), region);
    } catch (InvalidNumberException e) {
      return new Invalid(line, e.code(), e.getMessage());
    }
    Category category = DEFAULT_CATEGORY;
    if (rawCategory != null && !rawCategory.isBlank()) {
      String wanted = rawCategory.trim().toUpperCase(Locale.ROOT);
      category = Category.parse(wanted).orElse(null);
      if (category == null) {
        return new Invalid(line, "invalid_category", "Unknown category '" + abbreviate(rawCategory) + "'; use one of "
            + java.util.Arrays.toString(Category.values()) + ".");
      }
    }
    String note = rawNote == null ? null : rawNote.replaceAll("\\p{Cc}", " ").trim();
    if (note != null && note.length() > MAX_NOTE) {
      return new Invalid(line, "invalid_field", "The note is longer than " + MAX_NOTE + " characters.");
    }
    return new Entry(line, number, category, note == null || note.isEmpty() ? null : note);
  }

  /** Strips a field's surrounding quotes ("..." with "" for a quote inside) and spaces. */
  static String unquote(String field) {
    String f = field.trim();
    if (f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")) {
      f = f.substring(1, f.length() - 1).replace("\"\"", "\"").trim();
    }
    return f;
  }

  private static String abbreviate(String s) {
    String printable = s.replaceAll("\\p{C}", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
  }
}
