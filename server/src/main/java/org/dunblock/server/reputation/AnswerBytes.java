package org.dunblock.server.reputation;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The JSON bytes of a reported number's answer written directly, without a JsonObject or an encoder: the answer a
 * lookup of a listed number ends with, which the near cache otherwise spends most of its saving on. The bytes are
 * exactly those {@code toJson().toBuffer()} encodes (ReputationTest compares them): the same field order, scores as
 * {@link Double#toString(double)} writes them, as Jackson does. Only answers whose strings are printable ASCII with
 * nothing to escape are written here ({@link #encode} returns null otherwise, and the caller encodes the JsonObject).
 */
final class AnswerBytes {
  private byte[] bytes = new byte[384];
  private int length;

  private AnswerBytes() {
  }

  /** The answer's bytes, or null when some string would need escaping or the score is not finite. */
  static Buffer encode(Reputation r) {
    if (!Double.isFinite(r.score()) || !plain(r.number()) || !plainKeys(r.categories()) || !plainAll(r.reasons())) {
      return null;
    }
    for (Reputation.Platform platform : r.platforms()) {
      if (!plain(platform.name())) {
        return null;
      }
    }
    AnswerBytes out = new AnswerBytes();
    out.ascii("{\"number\":").string(r.number())
        .ascii(",\"verdict\":").string(r.verdict().name())
        .ascii(",\"score\":").ascii(Double.toString(r.score()))
        .ascii(",\"reports\":").ascii(Long.toString(r.reports()))
        .ascii(",\"reporters\":").ascii(Long.toString(r.reporters()))
        .ascii(",\"networks\":").ascii(Long.toString(r.networks()))
        .ascii(",\"categories\":{");
    boolean first = true;
    for (Map.Entry<String, Long> category : r.categories().entrySet()) {
      out.ascii(first ? "" : ",").string(category.getKey()).ascii(":").ascii(String.valueOf(category.getValue()));
      first = false;
    }
    out.ascii("},\"reasons\":[");
    first = true;
    for (String reason : r.reasons()) {
      out.ascii(first ? "" : ",").string(reason);
      first = false;
    }
    out.ascii("],\"firstReported\":").day(r.firstReported())
        .ascii(",\"lastReported\":").day(r.lastReported())
        .ascii(",\"platforms\":[");
    first = true;
    for (Reputation.Platform platform : r.platforms()) {
      out.ascii(first ? "{\"name\":" : ",{\"name\":").string(platform.name())
          .ascii(",\"count\":").ascii(Long.toString(platform.count())).ascii("}");
      first = false;
    }
    out.ascii("]");
    if (r.degraded()) {
      out.ascii(",\"degraded\":true");
    }
    out.ascii("}");
    return Buffer.buffer(Arrays.copyOf(out.bytes, out.length));
  }

  /** Printable ASCII without a quote or a backslash: JSON needs no escape for it. */
  static boolean plain(String s) {
    if (s == null) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static boolean plainKeys(Map<String, Long> categories) {
    for (Map.Entry<String, Long> category : categories.entrySet()) {
      if (!plain(category.getKey()) || category.getValue() == null) {
        return false;
      }
    }
    return true;
  }

  private static boolean plainAll(List<String> strings) {
    for (String s : strings) {
      if (!plain(s)) {
        return false;
      }
    }
    return true;
  }

  private AnswerBytes day(java.time.Instant time) {
    return time == null ? ascii("null") : string(Reputation.publicDay(time));
  }

  private AnswerBytes string(String s) {
    return ascii("\"").ascii(s).ascii("\"");
  }

  /** Appends ASCII text (the caller has checked it is). */
  private AnswerBytes ascii(String s) {
    int n = s.length();
    if (length + n > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
    }
    for (int i = 0; i < n; i++) {
      bytes[length++] = (byte) s.charAt(i);
    }
    return this;
  }
}
