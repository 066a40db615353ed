package org.dunblock.server.evidence;

import io.lettuce.core.ScoredValue;
import io.lettuce.core.StreamMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dunblock.server.reputation.Category;
import org.dunblock.server.reputation.Reputation;
import org.dunblock.server.store.NumberRecord;

/**
 * Builds evidence packs as JSON from what the store keeps. Only counts, categories, platform names and call times
 * go in: never a reporter's token, hash, network or note (a note may hold a victim's own name).
 */
public final class EvidencePacks {
  /** Calls from 21:00 up to 08:00 local time are night calls. */
  public static final int NIGHT_FROM_HOUR = 21;
  public static final int NIGHT_TO_HOUR = 8;
  /** report.lua caps a number's log with MAXLEN ~ 10000; a log this long may have lost its oldest entries. */
  static final int LOG_CAP = 10_000;

  private EvidencePacks() {
  }

  public static boolean isNight(int hour) {
    return hour >= NIGHT_FROM_HOUR || hour < NIGHT_TO_HOUR;
  }

  /**
   * The pack of one number. {@code reputation} is the record evaluated now; when it shows no crowd reports (never
   * reported, or aged out) the log is ignored too, so the pack agrees with a lookup.
   */
  public static JsonObject number(String e164, String region, ZoneId zone, Map<String, String> record,
      List<StreamMessage<String, String>> log, Reputation reputation, Instant now) {
    boolean crowd = reputation.reports() > 0;
    long[] byHour = new long[24];
    Map<String, Long> byDay = new TreeMap<>();
    long reports = 0;
    long repeats = 0;
    if (crowd) {
      for (StreamMessage<String, String> entry : log) {
        Map<String, String> body = entry.getBody();
        if (Category.LEGITIMATE.name().equals(body.get("c")) || body.get("o") == null) {
          continue;
        }
        ZonedDateTime local = Instant.ofEpochMilli(Long.parseLong(body.get("o"))).atZone(zone);
        byHour[local.getHour()]++;
        byDay.merge(local.toLocalDate().toString(), 1L, Long::sum);
        reports++;
        if ("0".equals(body.get("counted"))) {
          repeats++;
        }
      }
    }
    Map<String, Long> categories = crowd ? reputation.categories() : Map.of();
    JsonObject pack = head("number", e164, now)
        .put("number", e164)
        .put("region", region)
        .put("timeZone", zone.getId())
        .put("victims", reputation.reporters())
        .put("reports", reports)
        .put("repeatReports", repeats)
        .put("counterVotes", crowd ? NumberRecord.integer(record, NumberRecord.LEGITIMATE_REPORTERS) : 0L)
        .put("networks", reputation.networks())
        .mergeIn(common(categories, byDay, byHour, reputation.firstReported(), reputation.lastReported()))
        .put("platforms", crowd ? prefixed(record, NumberRecord.PLATFORM_PREFIX) : new JsonObject())
        .put("verdict", reputation.verdict().name())
        .put("score", reputation.score())
        .put("reasons", new JsonArray(List.copyOf(reputation.reasons())))
        .put("logTruncated", crowd && log.size() >= LOG_CAP);
    return pack;
  }

  /** The pack of one lending platform, from its derived aggregates. */
  public static JsonObject platform(String name, Map<String, String> aggregate, long victims, long numbers,
      List<ScoredValue<String>> top, Instant now) {
    long[] byHour = new long[24];
    Map<String, Long> byDay = new TreeMap<>();
    Map<String, Long> categories = new TreeMap<>();
    aggregate.forEach((field, value) -> {
      if (field.startsWith("h:")) {
        byHour[Integer.parseInt(field.substring(2))] += Long.parseLong(value);
      } else if (field.startsWith("d:")) {
        byDay.put(field.substring(2), Long.parseLong(value));
      } else if (field.startsWith("c:")) {
        categories.put(field.substring(2), Long.parseLong(value));
      }
    });
    JsonArray topNumbers = new JsonArray();
    for (ScoredValue<String> v : top) {
      topNumbers.add(new JsonObject().put("number", v.getValue()).put("reports", (long) v.getScore()));
    }
    return head("platform", name, now)
        .put("platform", name)
        .put("timeZones", prefixed(aggregate, "z:"))
        .put("victims", victims)
        .put("victimsApproximate", true)
        .put("reports", NumberRecord.integer(aggregate, "reports"))
        .put("numbers", numbers)
        .mergeIn(common(categories, byDay, byHour, instant(aggregate.get("first")),
            instant(aggregate.get("last"))))
        .put("topNumbers", topNumbers);
  }

  private static JsonObject head(String kind, String subject, Instant now) {
    return new JsonObject()
        .put("kind", kind)
        .put("subject", subject)
        .put("generatedAt", Instant.ofEpochMilli(now.toEpochMilli()).toString());
  }

  private static JsonObject common(Map<String, Long> categories, Map<String, Long> byDay, long[] byHour,
      Instant first, Instant last) {
    JsonObject cats = new JsonObject();
    for (Category c : Category.values()) {
      Long count = categories.get(c.name());
      if (count != null && count > 0) {
        cats.put(c.name(), count);
      }
    }
    JsonObject days = new JsonObject();
    byDay.forEach(days::put);
    JsonArray hours = new JsonArray();
    long night = 0;
    for (int h = 0; h < 24; h++) {
      hours.add(byHour[h]);
      if (isNight(h)) {
        night += byHour[h];
      }
    }
    return new JsonObject()
        .put("firstSeen", first == null ? null : first.toString())
        .put("lastSeen", last == null ? null : last.toString())
        .put("categories", cats)
        .put("threats", categories.getOrDefault(Category.THREAT.name(), 0L))
        .put("reportsPerDay", days)
        .put("callsByHour", hours)
        .put("nightCalls", night)
        .put("night", new JsonObject().put("from", String.format("%02d:00", NIGHT_FROM_HOUR))
            .put("to", String.format("%02d:00", NIGHT_TO_HOUR)));
  }

  /** Fields with the prefix, by count (largest first, then name), as an ordered JSON object. */
  private static JsonObject prefixed(Map<String, String> fields, String prefix) {
    List<Map.Entry<String, Long>> entries = new ArrayList<>();
    fields.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        long count = Long.parseLong(v);
        if (count > 0) {
          entries.add(Map.entry(k.substring(prefix.length()), count));
        }
      }
    });
    entries.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    Map<String, Object> ordered = new LinkedHashMap<>();
    entries.forEach(e -> ordered.put(e.getKey(), e.getValue()));
    return new JsonObject(ordered);
  }

  private static Instant instant(String ms) {
    return ms == null ? null : Instant.ofEpochMilli(Long.parseLong(ms));
  }

  /** Every day from the first to the last reported one (zeros filled), at most {@code maxDays}, the latest kept. */
  static List<Map.Entry<String, Long>> filledDays(JsonObject reportsPerDay, int maxDays) {
    List<Map.Entry<String, Long>> days = new ArrayList<>();
    if (reportsPerDay.isEmpty()) {
      return days;
    }
    TreeMap<String, Long> sorted = new TreeMap<>();
    reportsPerDay.forEach(e -> sorted.put(e.getKey(), ((Number) e.getValue()).longValue()));
    LocalDate first = LocalDate.parse(sorted.firstKey());
    LocalDate last = LocalDate.parse(sorted.lastKey());
    if (first.plusDays(maxDays - 1L).isBefore(last)) {
      first = last.minusDays(maxDays - 1L);
    }
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      days.add(Map.entry(d.toString(), sorted.getOrDefault(d.toString(), 0L)));
    }
    return days;
  }
}
