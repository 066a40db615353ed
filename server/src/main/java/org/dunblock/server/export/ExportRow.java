package org.dunblock.server.export;

import com.google.common.hash.Hashing;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.dunblock.server.reputation.Reputation;

/**
 * One number as an export lists it, in the documented column order. The time-decaying score is left out on
 * purpose: it would change every row every day; the verdict only changes when the score crosses a threshold.
 */
public record ExportRow(Reputation reputation, String body) {
  /** The CSV header, and the key order of JSON lines. Never reorder: append new columns at the end. */
  public static final String COLUMNS =
      "op,number,verdict,reasons,categories,reports,reporters,networks,firstReported,lastReported";
  public static final String UPSERT = "upsert";
  public static final String DELETE = "delete";

  /** The row of a listed number; {@link #body()} is its CSV form without the op column. */
  public static ExportRow of(Reputation r) {
    String body = r.number() + ',' + r.verdict().name() + ',' + String.join(";", r.reasons()) + ','
        + categories(r.categories()) + ',' + r.reports() + ',' + r.reporters() + ',' + r.networks() + ','
        + time(r.firstReported()) + ',' + time(r.lastReported());
    return new ExportRow(r, body);
  }

  public String number() {
    return reputation.number();
  }

  /** What the snapshot keeps to notice a change: 64 bits of murmur3 over the row. */
  public String hash() {
    return Hashing.murmur3_128().hashString(body, StandardCharsets.UTF_8).toString().substring(0, 16);
  }

  public String csv() {
    return UPSERT + ',' + body + '\n';
  }

  public static String csvDelete(String number) {
    return DELETE + ',' + number + ",,,,,,,,\n";
  }

  public String jsonl() {
    JsonObject cats = new JsonObject();
    reputation.categories().forEach(cats::put);
    return new JsonObject()
        .put("op", UPSERT)
        .put("number", reputation.number())
        .put("verdict", reputation.verdict().name())
        .put("reasons", new JsonArray(List.copyOf(reputation.reasons())))
        .put("categories", cats)
        .put("reports", reputation.reports())
        .put("reporters", reputation.reporters())
        .put("networks", reputation.networks())
        .put("firstReported", reputation.firstReported() == null ? null : time(reputation.firstReported()))
        .put("lastReported", reputation.lastReported() == null ? null : time(reputation.lastReported()))
        .encode() + '\n';
  }

  public static String jsonlDelete(String number) {
    return new JsonObject().put("op", DELETE).put("number", number).encode() + '\n';
  }

  private static String categories(Map<String, Long> categories) {
    // The calculator's map is sorted by name, so the text is stable.
    return categories.entrySet().stream().map(e -> e.getKey() + ':' + e.getValue()).collect(Collectors.joining(";"));
  }

  /** Day precision, as in public answers: exports leave the service; exact times stay in evidence packs. */
  private static String time(Instant instant) {
    return instant == null ? "" : Reputation.publicDay(instant);
  }
}
