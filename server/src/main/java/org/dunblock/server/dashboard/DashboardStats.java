package org.dunblock.server.dashboard;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.dunblock.server.reputation.ProtectionKind;
import org.dunblock.server.reputation.Reasons;
import org.dunblock.server.reputation.Reputation;
import org.dunblock.server.reputation.ReputationCalculator;
import org.dunblock.server.reputation.Verdict;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.ReputationStore;

/**
 * The service-wide figures of the operators' dashboard, read from what Redis already keeps: the shards' report
 * streams (reports per minute, top numbers and platforms of the last 24 h), the shards' indexes (listed numbers)
 * and the records of the most recently written numbers (BLOCKed numbers, address-book-explosion alerts). Every
 * read is bounded ({@link #REPORTS_PER_SHARD}, {@link #NUMBERS_PER_SHARD}); the answer says when a bound cut it
 * short. Only numbers, platform names and counts go out, never a reporter or network hash.
 */
public final class DashboardStats {
  static final int REPORTS_PER_SHARD = 5_000;
  static final int NUMBERS_PER_SHARD = 250;
  static final int TOP = 10;
  static final long DAY_MS = 86_400_000L;

  private final ReputationStore store;
  private final ReputationCalculator calculator;

  public DashboardStats(ReputationStore store, ReputationCalculator calculator) {
    this.store = store;
    this.calculator = calculator;
  }

  public Future<JsonObject> collect(long nowMs) {
    List<Future<Long>> sizes = new ArrayList<>();
    List<Future<List<StreamMessage<String, String>>>> reports = new ArrayList<>();
    List<Future<List<String>>> recent = new ArrayList<>();
    for (int shard = 0; shard < KeySchema.SHARDS; shard++) {
      int s = shard;
      sizes.add(store.indexSize(s));
      reports.add(store.call(redis -> redis.xrevrange(KeySchema.reports(s), Range.create("-", "+"),
          Limit.create(0, REPORTS_PER_SHARD))));
      // Overridden numbers carry a far-future score, so they come first, then the most recently written.
      recent.add(store.call(redis -> redis.zrevrange(KeySchema.index(s), 0, NUMBERS_PER_SHARD - 1)));
    }
    Future<JsonObject> numbers = Future.all(recent).compose(done -> evaluate(recent, nowMs));
    return Future.all(Future.all(sizes), Future.all(reports), numbers).map(done -> {
      long listed = sizes.stream().mapToLong(Future::result).sum();
      // Exact when no shard had more entries than were read.
      boolean exact = recent.stream().allMatch(shard -> shard.result().size() < NUMBERS_PER_SHARD);
      return numbers.result()
          .put("listed", listed)
          .put("blockedExact", exact)
          .put("generatedAt", Instant.ofEpochMilli(nowMs).toString())
          .put("reports", reportFigures(reports, nowMs));
    });
  }

  private JsonObject reportFigures(List<Future<List<StreamMessage<String, String>>>> shards, long nowMs) {
    long[] perMinute = new long[LookupRates.MINUTES];
    long nowMinute = nowMs / 60_000;
    Map<String, Long> byNumber = new HashMap<>();
    Map<String, Long> byPlatform = new HashMap<>();
    long lastDay = 0;
    boolean complete = true;
    for (Future<List<StreamMessage<String, String>>> shard : shards) {
      List<StreamMessage<String, String>> entries = shard.result();
      long oldestKept = Long.MAX_VALUE;
      for (StreamMessage<String, String> entry : entries) {
        long at = Long.parseLong(entry.getBody().getOrDefault("at", "0"));
        oldestKept = Math.min(oldestKept, at);
        if (at <= nowMs - DAY_MS || at > nowMs) {
          continue;
        }
        lastDay++;
        byNumber.merge(entry.getBody().get("n"), 1L, Long::sum);
        String platform = entry.getBody().get("p");
        if (platform != null && !platform.isEmpty()) {
          byPlatform.merge(platform, 1L, Long::sum);
        }
        long ago = nowMinute - at / 60_000;
        if (ago >= 0 && ago < perMinute.length) {
          perMinute[perMinute.length - 1 - (int) ago]++;
        }
      }
      complete &= entries.size() < REPORTS_PER_SHARD || oldestKept <= nowMs - DAY_MS;
    }
    JsonArray minutes = new JsonArray();
    for (long count : perMinute) {
      minutes.add(count);
    }
    return new JsonObject()
        .put("perMinute", minutes)
        .put("last24h", lastDay)
        .put("complete", complete)
        .put("topNumbers", top(byNumber, "number"))
        .put("topPlatforms", top(byPlatform, "name"));
  }

  private Future<JsonObject> evaluate(List<Future<List<String>>> shards, long nowMs) {
    List<String> candidates = new ArrayList<>();
    for (Future<List<String>> shard : shards) {
      for (String entry : shard.result()) {
        if (!KeySchema.isPrefixEntry(entry) && !entry.startsWith(KeySchema.RANGE_ENTRY)) {
          candidates.add(entry);
        }
      }
    }
    List<Future<Map<String, String>>> records = new ArrayList<>(candidates.size());
    for (String number : candidates) {
      records.add(store.number(number));
    }
    return Future.all(records).map(done -> {
      long blocked = 0;
      JsonArray alerts = new JsonArray();
      List<JsonObject> protectedNumbers = new ArrayList<>();
      for (int i = 0; i < candidates.size(); i++) {
        Reputation r = calculator.evaluate(candidates.get(i), records.get(i).result(), nowMs);
        // Reports about protected numbers are a review signal (DESIGN.md rule 9): a reported verified caller may
        // be spoofed, a reported emergency number is an attack on the list.
        ProtectionKind kind = r.reports() > 0 ? calculator.protection(r.number()) : null;
        if (kind != null) {
          protectedNumbers.add(new JsonObject().put("number", r.number()).put("kind", kind.name())
              .put("verdict", r.verdict().name())
              .put("crowdVerdict", calculator.crowdOnly(r.number(), records.get(i).result(), nowMs).verdict().name())
              .put("reporters", r.reporters()).put("networks", r.networks()));
        }
        if (r.verdict() == Verdict.BLOCK) {
          blocked++;
        }
        if (r.reasons().contains(Reasons.ADDRESS_BOOK_EXPLOSION)) {
          alerts.add(new JsonObject().put("number", r.number()).put("verdict", r.verdict().name())
              .put("reporters", r.reporters()).put("networks", r.networks()));
        }
      }
      return new JsonObject()
          .put("evaluated", (long) candidates.size())
          .put("blocked", blocked)
          .put("explosionAlerts", alerts)
          .put("protectedNumbers", new JsonArray(protectedNumbers.stream()
              .sorted(Comparator.comparingLong((JsonObject o) -> o.getLong("reporters")).reversed()
                  .thenComparing(o -> o.getString("number")))
              .limit(TOP).toList()));
    });
  }

  private static JsonArray top(Map<String, Long> counts, String label) {
    JsonArray out = new JsonArray();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry::getKey))
        .limit(TOP)
        .forEach(e -> out.add(new JsonObject().put(label, e.getKey()).put("reports", e.getValue())));
    return out;
  }
}
