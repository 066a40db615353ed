package org.dunblock.server.imports;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.dunblock.server.http.ApiException;
import org.dunblock.server.number.InvalidNumberException;
import org.dunblock.server.number.PhoneNumberNormalizer;
import org.dunblock.server.reputation.Category;

/**
 * Reads the lines of an import as its {@link ImportOptions} say: CSV with a delimiter (detected from the first
 * {@link #SAMPLE} lines unless given, which are held until then: memory stays bounded by them), quoted fields ({@code "..."} with {@code ""} for a quote), an optional header (detected unless
 * given) whose names the columns may refer to, comment lines; or JSON objects, one per line. A line is an
 * {@link Entry}, skipped (blank, a comment, the header), or {@link Invalid}. Without options the historic shape
 * applies: {@code number[,category[,note]]}, an optional header naming {@code number}.
 *
 * <p>A list's own dates ({@code occurredColumn}) are checked and shown, but the vote counts from the import: a list
 * is its publisher's statement about now, so a historic date neither refuses the row as too old nor ages its vote.
 *
 * <p>A column the options name that the header lacks is a structural error, thrown as a 400 once the first lines
 * are in, before any row is returned (and so before any is stored).
 */
final class ImportLines {
  static final int MAX_LINE = 2048;
  /** Content lines read before the delimiter and the header are decided. */
  static final int SAMPLE = 20;
  static final int MAX_NOTE = 1000;
  static final Category DEFAULT_CATEGORY = Category.DEBT_COLLECTION;
  private static final Set<String> JSON_FIELDS = Set.of("number", "category", "note");
  /** Header names taken as the number column when none is chosen. */
  private static final List<String> NUMBER_HEADERS = List.of("number", "phone", "phone_number", "phonenumber",
      "telephone", "tel", "msisdn", "e164", "nummer", "rufnummer", "telefon", "telefonnummer", "numero", "numéro");
  private static final char[] DELIMITERS = {',', ';', '\t', '|'};
  /** A list's date may run ahead of ours by this much (time zones, clocks). */
  private static final long DATE_SKEW_MS = 36 * 3600_000L;

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

  /**
   * A valid line: the number in E.164, its category and optional note, and the list's own date for the row
   * (epoch ms, or null when the list gives none).
   */
  record Entry(int line, String number, Category category, String note, Long listedAtMs) implements Parsed {
  }

  /** A refused line, with a stable code and a message for people. */
  record Invalid(int line, String error, String reason) implements Parsed {
  }

  /** A blank line, a comment or the header. */
  record Skip() implements Parsed {
  }

  private static final Skip SKIP = new Skip();

  private final ImportOptions options;
  private final PhoneNumberNormalizer normalizer;
  private final String region;
  private final long nowMs;
  /** The first CSV lines, held until the delimiter, the header and the columns are decided. */
  private List<Sampled> sample = new ArrayList<>();
  private boolean decided;
  private char delimiter = ',';
  private boolean headerSeen;
  /** Resolved 0-based columns (-1: none); set from the first content line. */
  private int numberAt;
  private int categoryAt = -1;
  private int noteAt = -1;
  private int occurredAt = -1;
  /** The historic shape: the note is everything after the second field. */
  private boolean noteIsRest;

  ImportLines(Format format, PhoneNumberNormalizer normalizer, String region) {
    this(ImportOptions.defaults(format), normalizer, region, System.currentTimeMillis());
  }

  ImportLines(ImportOptions options, PhoneNumberNormalizer normalizer, String region, long nowMs) {
    this.options = options;
    this.normalizer = normalizer;
    this.region = region;
    this.nowMs = nowMs;
  }

  /** The delimiter in use (after detection), for the summary. */
  char delimiter() {
    return delimiter;
  }

  /** Whether the list had a header line. */
  boolean headerSeen() {
    return headerSeen;
  }

  /**
   * The results of one more line, in line order. While the first CSV lines are gathered to detect the shape, the
   * answer is empty and those lines come later, with the line that completes the sample or from {@link #finish()}.
   *
   * @throws ApiException a column the header lacks, or a header too long to read: nothing has been returned yet
   */
  List<Parsed> parse(int line, String raw) {
    String text = raw;
    if (line == 1 && text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.isBlank()) {
      return List.of(SKIP);
    }
    if (options.comment() != null && text.stripLeading().startsWith(options.comment())) {
      return List.of(SKIP);
    }
    if (options.format() == Format.JSONL) {
      return List.of(text.length() > MAX_LINE ? tooLong(line) : jsonl(line, text));
    }
    if (decided) {
      return List.of(text.length() > MAX_LINE ? tooLong(line) : row(line, text));
    }
    sample.add(new Sampled(line, text.length() > MAX_LINE ? null : text));
    return sample.size() < SAMPLE ? List.of() : decide();
  }

  /** The lines still held for detection (a list shorter than the sample), once the body has ended. */
  List<Parsed> finish() {
    return decided || options.format() == Format.JSONL ? List.of() : decide();
  }

  private static Invalid tooLong(int line) {
    return new Invalid(line, "line_too_long", "The line is longer than " + MAX_LINE + " characters.");
  }

  /** A line held for detection; {@code text} is null for one too long to read. */
  private record Sampled(int line, String text) {
  }

  /**
   * Decides the delimiter, the header and the columns from the sampled lines, then reads them. The first of them is
   * the header, if there is one.
   */
  private List<Parsed> decide() {
    decided = true;
    List<String> texts = sample.stream().map(Sampled::text).filter(java.util.Objects::nonNull).toList();
    Sampled first = sample.get(0);
    delimiter = options.delimiter() != null ? options.delimiter() : detectDelimiter(texts, first.text() != null);
    boolean header;
    if (first.text() == null) {
      if (options.header() == ImportOptions.Header.TRUE) {
        throw ApiException.badRequest("header_too_long", "The header (line " + first.line() + ") is longer than "
            + MAX_LINE + " characters; name the columns by their 1-based index with header=false, or shorten it.");
      }
      header = false;
    } else {
      List<String> fields = split(first.text(), delimiter);
      header = switch (options.header()) {
        case TRUE -> true;
        case FALSE -> false;
        case DETECT -> looksLikeHeader(fields);
      };
    }
    int widest = 0;
    for (String text : texts) {
      widest = Math.max(widest, split(text, delimiter).size());
    }
    resolveColumns(header ? split(first.text(), delimiter) : null, widest);
    headerSeen = header;
    List<Parsed> out = new ArrayList<>(sample.size());
    for (int i = 0; i < sample.size(); i++) {
      Sampled s = sample.get(i);
      if (i == 0 && header) {
        out.add(SKIP);
      } else {
        out.add(s.text() == null ? tooLong(s.line()) : row(s.line(), s.text()));
      }
    }
    sample = List.of();
    return out;
  }

  private Parsed row(int line, String text) {
    List<String> fields = split(text, delimiter);
    String note;
    if (noteIsRest) {
      note = rest(text, delimiter);
    } else {
      note = cell(fields, noteAt);
    }
    if (numberAt >= fields.size()) {
      return new Invalid(line, "missing_field", "The line has no column " + (numberAt + 1) + " for the number.");
    }
    return entry(line, cell(fields, numberAt), cell(fields, categoryAt), note, cell(fields, occurredAt));
  }

  /** Header or not: a first line whose number cell is no phone number but has letters names the columns. */
  private boolean looksLikeHeader(List<String> fields) {
    int at = numberIndex(fields);
    String cell = at >= 0 && at < fields.size() ? fields.get(at) : "";
    return cell.chars().anyMatch(Character::isLetter) && !isNumber(cell);
  }

  /**
   * Where the number would be if {@code first} (a line split one way) were the first line: the chosen index, the
   * chosen name's place in it (-1 when it lacks the name), a usual number header's place, else the first column.
   */
  private int numberIndex(List<String> first) {
    ImportOptions.Column column = options.numberColumn();
    if (column != null && !column.named()) {
      return column.index() - 1;
    }
    for (int i = 0; i < first.size(); i++) {
      String name = first.get(i).trim().toLowerCase(Locale.ROOT);
      if (column != null ? name.equals(column.name().toLowerCase(Locale.ROOT)) : NUMBER_HEADERS.contains(name)) {
        return i;
      }
    }
    return column != null ? -1 : 0;
  }

  private void resolveColumns(List<String> header, int columns) {
    Map<String, Integer> names = new HashMap<>();
    if (header != null) {
      for (int i = header.size() - 1; i >= 0; i--) {
        names.put(header.get(i).trim().toLowerCase(Locale.ROOT), i);
      }
    }
    if (options.numberColumn() != null) {
      numberAt = resolve("numberColumn", options.numberColumn(), names, header, columns);
    } else {
      numberAt = NUMBER_HEADERS.stream().filter(names::containsKey).map(names::get).findFirst().orElse(0);
    }
    if (options.categoryColumn() != null) {
      categoryAt = resolve("categoryColumn", options.categoryColumn(), names, header, columns);
    } else if (header != null) {
      categoryAt = names.getOrDefault("category", -1);
    } else if (!options.mapped()) {
      categoryAt = 1;
    }
    if (options.noteColumn() != null) {
      noteAt = resolve("noteColumn", options.noteColumn(), names, header, columns);
    } else if (header != null) {
      noteAt = names.getOrDefault("note", -1);
    } else if (!options.mapped()) {
      noteIsRest = true;
    }
    if (options.occurredColumn() != null) {
      occurredAt = resolve("occurredColumn", options.occurredColumn(), names, header, columns);
    }
    // The historic layout (number, category, note) keeps its unquoted commas in the note.
    noteIsRest |= !options.mapped() && numberAt == 0 && categoryAt == 1 && noteAt == 2;
  }

  /**
   * A chosen column's 0-based place. A name the header lacks, or an index beyond every one of the first lines (the
   * header included), is structural: a 400 before anything is stored. A later row too short for it is that row's
   * problem ({@link #row}).
   */
  private static int resolve(String param, ImportOptions.Column column, Map<String, Integer> names,
      List<String> header, int columns) {
    if (column.named()) {
      Integer at = names.get(column.name().toLowerCase(Locale.ROOT));
      if (at == null) {
        throw ApiException.badRequest("unknown_column", "'" + param + "' names '"
            + ImportOptions.abbreviate(column.name()) + "', which the header does not have; it has: "
            + header.stream().map(ImportOptions::abbreviate).toList() + ".");
      }
      return at;
    }
    int widest = Math.max(columns, header == null ? 0 : header.size());
    if (widest > 0 && column.index() > widest) {
      throw ApiException.badRequest("unknown_column", "'" + param + "' is column " + column.index()
          + ", but the first lines have at most " + widest + " column" + (widest == 1 ? "" : "s") + ".");
    }
    return column.index() - 1;
  }

  /** The historic note: everything after the second unquoted delimiter, unquoted; null when there is none. */
  static String rest(String text, char delimiter) {
    boolean quoted = false;
    int seen = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == delimiter && !quoted && ++seen == 2) {
        return unquote(text.substring(i + 1));
      }
    }
    return null;
  }

  private static String cell(List<String> fields, int at) {
    return at < 0 || at >= fields.size() ? null : fields.get(at);
  }

  /**
   * The delimiter of the first lines (up to {@link #SAMPLE}, comments and blank lines left out): the one under which
   * most of them have a phone number in the number's column, so that a description holding commas
   * ({@code 0441234567;Call centre, Zurich}) or a title or one-column header line first does not decide it; among
   * equals, the one most lines use; a comma when none is used.
   */
  private char detectDelimiter(List<String> texts, boolean firstReadable) {
    char best = ',';
    int bestNumbers = -1;
    int bestUsed = 0;
    for (char d : DELIMITERS) {
      int used = 0;
      for (String text : texts) {
        if (count(text, d) > 0) {
          used++;
        }
      }
      if (used == 0) {
        continue;
      }
      int at = texts.isEmpty() || !firstReadable ? 0 : numberIndex(split(texts.get(0), d));
      int numbers = 0;
      for (String text : texts) {
        List<String> fields = split(text, d);
        if (at >= 0 && at < fields.size() && isNumber(fields.get(at))) {
          numbers++;
        }
      }
      if (numbers > bestNumbers || numbers == bestNumbers && used > bestUsed) {
        best = d;
        bestNumbers = numbers;
        bestUsed = used;
      }
    }
    return best;
  }

  private boolean isNumber(String cell) {
    try {
      normalizer.normalize(cell, region);
      return true;
    } catch (InvalidNumberException e) {
      return false;
    }
  }

  /** How often {@code d} occurs outside quotes. */
  static int count(String text, char d) {
    int count = 0;
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"') {
        quoted = !quoted;
      } else if (c == d && !quoted) {
        count++;
      }
    }
    return count;
  }

  /** Splits a CSV line: fields may be quoted ("..." with "" for a quote inside); spaces around fields dropped. */
  static List<String> split(String text, char delimiter) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"' && !wasQuoted && field.toString().isBlank()) {
        quoted = true;
        wasQuoted = true;
        field.setLength(0);
      } else if (wasQuoted && c != delimiter && Character.isWhitespace(c)) {
        // spaces between a closing quote and the delimiter
        continue;
      } else if (c == delimiter) {
        fields.add(wasQuoted ? field.toString() : field.toString().trim());
        field.setLength(0);
        wasQuoted = false;
      } else {
        field.append(c);
      }
    }
    fields.add(wasQuoted ? field.toString() : field.toString().trim());
    return fields;
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
    if (!options.mapped()) {
      for (String field : json.fieldNames()) {
        if (!JSON_FIELDS.contains(field)) {
          return new Invalid(line, "unknown_field", "Unknown field '" + ImportOptions.abbreviate(field)
              + "'; allowed: " + JSON_FIELDS.stream().sorted().toList() + ".");
        }
      }
    }
    String numberField = options.numberColumn() == null ? "number" : options.numberColumn().name();
    String categoryField = options.categoryColumn() == null ? "category" : options.categoryColumn().name();
    String noteField = options.noteColumn() == null ? "note" : options.noteColumn().name();
    Object number = json.getValue(numberField);
    if (number instanceof Number n && !(number instanceof Double) && !(number instanceof Float)) {
      number = n.toString();
    }
    if (number != null && !(number instanceof String)) {
      return new Invalid(line, "invalid_field", "'" + ImportOptions.abbreviate(numberField) + "' must be a string.");
    }
    Object category = json.getValue(categoryField);
    if (category != null && !(category instanceof String)) {
      return new Invalid(line, "invalid_field", "'" + ImportOptions.abbreviate(categoryField)
          + "' must be a string.");
    }
    Object note = json.getValue(noteField);
    if (note != null && !(note instanceof String)) {
      return new Invalid(line, "invalid_field", "'" + ImportOptions.abbreviate(noteField) + "' must be a string.");
    }
    Object occurred = options.occurredColumn() == null ? null : json.getValue(options.occurredColumn().name());
    if (occurred != null && !(occurred instanceof String)) {
      return new Invalid(line, "invalid_date", "'" + ImportOptions.abbreviate(options.occurredColumn().name())
          + "' must be a date string.");
    }
    return entry(line, (String) number, (String) category, (String) note, (String) occurred);
  }

  private Parsed entry(int line, String rawNumber, String rawCategory, String rawNote, String rawOccurred) {
    if (rawNumber == null || rawNumber.isBlank()) {
      return new Invalid(line, "missing_field", "The line has no number.");
    }
    String number;
    try {
      number = normalizer.normalize(rawNumber.trim(), region);
    } catch (InvalidNumberException e) {
      return new Invalid(line, e.code(), e.getMessage());
    }
    Category category = options.defaultCategory();
    if (rawCategory != null && !rawCategory.isBlank()) {
      String value = rawCategory.trim();
      Category mapped = options.categoryMap().get(value.toLowerCase(Locale.ROOT));
      if (mapped != null) {
        category = mapped;
      } else {
        Category named = Category.parse(value.toUpperCase(Locale.ROOT)).orElse(null);
        if (named != null) {
          category = named;
        } else if (options.categoryMap().isEmpty()) {
          return new Invalid(line, "invalid_category", "Unknown category '" + ImportOptions.abbreviate(rawCategory)
              + "'; use one of " + java.util.Arrays.toString(Category.values()) + " or give a categoryMap.");
        }
      }
    }
    Long listedAt = null;
    if (rawOccurred != null && !rawOccurred.isBlank()) {
      listedAt = date(rawOccurred.trim());
      if (listedAt == null) {
        return new Invalid(line, "invalid_date", "'" + ImportOptions.abbreviate(rawOccurred)
            + "' is not a date (e.g. 2026-11-22, 2026-11-22 09:30:00, 2026-11-22T09:30:00+08:00, 11/22/2026).");
      }
      if (listedAt > nowMs + DATE_SKEW_MS) {
        return new Invalid(line, "invalid_date", "The date '" + ImportOptions.abbreviate(rawOccurred)
            + "' is in the future.");
      }
    }
    String note = rawNote == null ? null : rawNote.replaceAll("\\p{Cc}", " ").trim();
    if (note != null && note.length() > MAX_NOTE) {
      return new Invalid(line, "invalid_field", "The note is longer than " + MAX_NOTE + " characters.");
    }
    return new Entry(line, number, category, note == null || note.isEmpty() ? null : note, listedAt);
  }

  private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm[:ss][.SSS]");
  private static final DateTimeFormatter US = DateTimeFormatter.ofPattern("M/d/uuuu");
  private static final DateTimeFormatter US_TIME = DateTimeFormatter.ofPattern("M/d/uuuu H:mm[:ss]");
  private static final DateTimeFormatter DOTTED = DateTimeFormatter.ofPattern("d.M.uuuu");

  /** A list's date as epoch ms (a time without an offset is taken as UTC), or null when it is none. */
  static Long date(String text) {
    try {
      return OffsetDateTime.parse(text).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      // try the next shape
    }
    for (DateTimeFormatter f : new DateTimeFormatter[] {DateTimeFormatter.ISO_LOCAL_DATE_TIME, SPACED, US_TIME}) {
      try {
        return LocalDateTime.parse(text, f).toInstant(ZoneOffset.UTC).toEpochMilli();
      } catch (DateTimeParseException e) {
        // try the next shape
      }
    }
    for (DateTimeFormatter f : new DateTimeFormatter[] {DateTimeFormatter.ISO_LOCAL_DATE, US, DOTTED}) {
      try {
        return LocalDate.parse(text, f).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        // try the next shape
      }
    }
    return null;
  }

  /** Strips a field's surrounding quotes ("..." with "" for a quote inside) and spaces. */
  static String unquote(String field) {
    String f = field.trim();
    if (f.length() >= 2 && f.startsWith("\"") && f.endsWith("\"")) {
      f = f.substring(1, f.length() - 1).replace("\"\"", "\"").trim();
    }
    return f;
  }
}
