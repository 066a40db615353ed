package org.dunblock.server.evidence;

import com.google.common.hash.Hashing;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.StreamMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.LuaScript;
import org.dunblock.server.reputation.Category;
import org.dunblock.server.store.ReputationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what evidence packs are built from (a number's record and report log; a platform's aggregates) and keeps
 * the per-platform aggregates, which are derived from reports: {@link #recordPlatform} runs after the report script
 * and its failure never fails the report (the aggregates then lag; see README, "Evidence packs").
 */
public final class EvidenceStore {
  private static final Logger LOG = LoggerFactory.getLogger(EvidenceStore.class);
  /** report.lua caps a number's log at about 10,000 entries (MAXLEN ~); read a little more so none is missed. */
  public static final int MAX_LOG_ENTRIES = 12_000;
  public static final int TOP_NUMBERS = 20;
  static final String AGGREGATE = "agg";
  static final String VICTIMS = "victims";
  static final String NUMBERS = "numbers";
  static final String SEEN = "seen";

  private final ReputationStore store;
  private final RegionZones zones;
  private final long retentionMs;
  private final MeterRegistry registry;
  private final LuaScript platformScript;

  /** Loads the platform script (blocking; call at start). */
  public EvidenceStore(ReputationStore store, RegionZones zones, Duration retention, MeterRegistry registry) {
    this.store = store;
    this.zones = zones;
    this.retentionMs = retention.toMillis();
    this.registry = registry;
    this.platformScript = store.script("platform.lua");
  }

  public RegionZones zones() {
    return zones;
  }

  /** A number's record hash and its report log (oldest first, at most {@link #MAX_LOG_ENTRIES}). */
  public record NumberData(Map<String, String> record, List<StreamMessage<String, String>> log) {
  }

  public Future<NumberData> number(String e164) {
    Future<Map<String, String>> record = store.call(redis -> redis.hgetall(KeySchema.number(e164)));
    Future<List<StreamMessage<String, String>>> log = store.call(redis -> redis.xrange(KeySchema.numberLog(e164),
        Range.create("-", "+"), Limit.create(0, MAX_LOG_ENTRIES)));
    return Future.all(record, log).map(done -> new NumberData(record.result(), log.result()));
  }

  /** A platform's aggregate hash, estimated distinct victims, distinct numbers and its most reported numbers. */
  public record PlatformData(Map<String, String> aggregate, long victims, long numbers,
      List<ScoredValue<String>> topNumbers) {
  }

  public Future<PlatformData> platform(String name) {
    Future<Map<String, String>> aggregate = store.call(redis -> redis.hgetall(KeySchema.platform(name, AGGREGATE)));
    Future<Long> victims = store.call(redis -> redis.pfcount(KeySchema.platform(name, VICTIMS)));
    Future<Long> numbers = store.call(redis -> redis.zcard(KeySchema.platform(name, NUMBERS)));
    Future<List<ScoredValue<String>>> top = store.call(redis -> redis.zrevrangeWithScores(
        KeySchema.platform(name, NUMBERS), 0, TOP_NUMBERS - 1));
    return Future.all(aggregate, victims, numbers, top)
        .map(done -> new PlatformData(aggregate.result(), victims.result(), numbers.result(), top.result()));
  }

  /**
   * Adds a stored report to the aggregates of the platform it names, once per reporter and number. Reports naming
   * no platform and LEGITIMATE counter-votes are not complaints and are skipped. Never fails: a failure is logged
   * and counted, and the answer is false.
   */
  public Future<Boolean> recordPlatform(String platform, String number, String reporterHash, Category category,
      long occurredAtMs, long nowMs) {
    if (platform == null || !category.negative()) {
      return Future.succeededFuture(false);
    }
    ZoneId zone = zones.zoneOf(number);
    ZonedDateTime local = Instant.ofEpochMilli(occurredAtMs).atZone(zone);
    String pair = Hashing.sha256().hashString(reporterHash + "|" + number, StandardCharsets.UTF_8)
        .toString().substring(0, 32);
    String[] keys = {
        KeySchema.platform(platform, AGGREGATE), KeySchema.platform(platform, VICTIMS),
        KeySchema.platform(platform, NUMBERS), KeySchema.platform(platform, SEEN)};
    return store.run(platformScript, keys, pair, reporterHash, number, category.name(),
            Long.toString(occurredAtMs), local.toLocalDate().toString(), Integer.toString(local.getHour()),
            zone.getId(), Long.toString(nowMs + retentionMs))
        .map(reply -> {
          boolean added = Long.valueOf(1L).equals(reply.isEmpty() ? null : reply.get(0));
          registry.counter("dunblock.evidence.platform.updates", "outcome", added ? "added" : "seen").increment();
          return added;
        })
        .recover(e -> {
          // Derived data: the report itself is stored. Log the number, never the reporter.
          LOG.warn("Platform aggregates not updated for a report of {}: {}", number, e.toString());
          registry.counter("dunblock.evidence.platform.updates", "outcome", "failed").increment();
          return Future.succeededFuture(false);
        });
  }
}
