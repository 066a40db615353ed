package org.dunblock.server.reputation;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer to a lookup: the verdict on a number and the evidence behind it. Never names a reporter. */
public record Reputation(
    String number,
    Verdict verdict,
    double score,
    long reports,
    long reporters,
    long networks,
    Map<String, Long> categories,
    List<String> reasons,
    Instant firstReported,
    Instant lastReported,
    boolean degraded,
    List<Platform> platforms) {

  /** Lending platforms shown in a lookup: the most named, at most this many. */
  public static final int TOP_PLATFORMS = 5;

  /** A lending platform (normalised name) and how many current votes on the number name it. */
  public record Platform(String name, long count) {
  }

  public Reputation {
    platforms = platforms == null ? List.of() : List.copyOf(platforms);
  }

  /** A reputation that names no platform. */
  public Reputation(String number, Verdict verdict, double score, long reports, long reporters, long networks,
      Map<String, Long> categories, List<String> reasons, Instant firstReported, Instant lastReported,
      boolean degraded) {
    this(number, verdict, score, reports, reporters, networks, categories, reasons, firstReported, lastReported,
        degraded, List.of());
  }

  /** The answer for a number nobody reported: exactly what an empty Redis record evaluates to. */
  public static Reputation unreported(String number) {
    return new Reputation(number, Verdict.ALLOW, 0.0, 0, 0, 0, Map.of(), List.of(), null, null, false);
  }

  /** The fail-open answer when the store cannot be asked in time: let the call ring, and say so. */
  public static Reputation degraded(String number) {
    return new Reputation(number, Verdict.ALLOW, 0.0, 0, 0, 0, Map.of(), List.of(Reasons.DEGRADED), null, null, true);
  }

  /**
   * The answer's JSON bytes, as {@code toJson().toBuffer()} writes them. The unreported answer, most lookups, is
   * the same bytes around the number every time: it is written from a template (no JsonObject, no encoder), which
   * cuts the lookup's own CPU on the filter path. Other answers are written directly too ({@link AnswerBytes}) unless
   * one of their strings would need a JSON escape.
   */
  public Buffer toBuffer() {
    if (isUnreported() && plainNumber(number)) {
      byte[] bytes = new byte[UNREPORTED_HEAD.length + number.length() + UNREPORTED_TAIL.length];
      System.arraycopy(UNREPORTED_HEAD, 0, bytes, 0, UNREPORTED_HEAD.length);
      for (int i = 0; i < number.length(); i++) {
        bytes[UNREPORTED_HEAD.length + i] = (byte) number.charAt(i);
      }
      System.arraycopy(UNREPORTED_TAIL, 0, bytes, UNREPORTED_HEAD.length + number.length(), UNREPORTED_TAIL.length);
      return Buffer.buffer(bytes);
    }
    Buffer direct = AnswerBytes.encode(this);
    return direct != null ? direct : toJson().toBuffer();
  }

  /** Whether the template may hold the number without JSON escaping: an optional + and 1 to 20 ASCII digits. */
  private static boolean plainNumber(String number) {
    int start = number.startsWith("+") ? 1 : 0;
    if (number.length() == start || number.length() - start > 20) {
      return false;
    }
    for (int i = start; i < number.length(); i++) {
      if (number.charAt(i) < '0' || number.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  private boolean isUnreported() {
    return verdict == Verdict.ALLOW && score == 0.0 && reports == 0 && reporters == 0 && networks == 0
        && categories.isEmpty() && reasons.isEmpty() && firstReported == null && lastReported == null && !degraded
        && platforms.isEmpty();
  }

  private static final String TEMPLATE_NUMBER = "+0";
  private static final byte[] UNREPORTED_HEAD;
  private static final byte[] UNREPORTED_TAIL;

  static {
    String json = unreported(TEMPLATE_NUMBER).toJson().encode();
    int at = json.indexOf('"' + TEMPLATE_NUMBER + '"') + 1;
    UNREPORTED_HEAD = json.substring(0, at).getBytes(StandardCharsets.US_ASCII);
    UNREPORTED_TAIL = json.substring(at + TEMPLATE_NUMBER.length()).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A time as public answers give it (DESIGN.md rule 8): the day, as midnight UTC ({@code 2026-12-03T00:00:00Z}),
   * so clients that parse an ISO instant keep working and no caller can match a report to the call it placed.
   * Exact times stay in the record, for operators' evidence packs.
   */
  public static String publicDay(Instant time) {
    return time == null ? null : time.truncatedTo(java.time.temporal.ChronoUnit.DAYS).toString();
  }

  /** The public answer: times at day precision ({@link #publicDay}). */
  public JsonObject toJson() {
    JsonObject cats = new JsonObject();
    categories.forEach(cats::put);
    JsonObject json = new JsonObject()
        .put("number", number)
        .put("verdict", verdict.name())
        .put("score", score)
        .put("reports", reports)
        .put("reporters", reporters)
        .put("networks", networks)
        .put("categories", cats)
        .put("reasons", new JsonArray(List.copyOf(reasons)))
        .put("firstReported", publicDay(firstReported))
        .put("lastReported", publicDay(lastReported));
    JsonArray named = new JsonArray();
    platforms.forEach(p -> named.add(new JsonObject().put("name", p.name()).put("count", p.count())));
    json.put("platforms", named);
    if (degraded) {
      json.put("degraded", true);
    }
    return json;
  }
}
