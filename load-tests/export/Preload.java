import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.dunblock.server.filter.FilterCheckpoint;
import org.dunblock.server.store.KeySchema;
import org.dunblock.server.store.NumberRecord;

/**
 * Writes N reputation records straight into Redis in the NumberRecord format (the fields report.lua writes),
 * with their shard index entries, pipelined. Faster than N real reports by orders of magnitude; the records are
 * what report.lua would leave after the same votes (masses referred to now, counts, categories, call times).
 * Mix per ten numbers: six BLOCK (5 reporters on 5 networks), three WARN (1 reporter), one ALLOW (1 LEGITIMATE).
 *
 *   java -cp server/target/dunblock-server.jar load-tests/export/Preload.java redis://127.0.0.1:6379 1000000
 */
public class Preload {
  static final int BATCH = 5_000;
  static final long DEADLINE_MS = 600_000;

  public static void main(String[] args) throws Exception {
    String url = args[0];
    int count = Integer.parseInt(args[1]);
    if (count < 1 || count > 10_000_000) {
      throw new IllegalArgumentException("count must be between 1 and 10,000,000");
    }
    long started = System.currentTimeMillis();
    long now = started;
    RedisClient client = RedisClient.create(url);
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.setAutoFlushCommands(false);
      RedisAsyncCommands<String, String> redis = connection.async();
      List<RedisFuture<?>> pending = new ArrayList<>(BATCH * 2);
      for (int i = 0; i < count; i++) {
        String number = "+86" + (13_000_000_000L + i);
        Map<String, String> fields = new LinkedHashMap<>();
        long first = now - (i % 86_400_000L);
        fields.put(NumberRecord.REFERENCE_TIME, Long.toString(now));
        fields.put(NumberRecord.FIRST, Long.toString(first));
        fields.put(NumberRecord.LAST, Long.toString(now - (i % 3_600_000L)));
        int kind = i % 10;
        if (kind < 6) {
          fields.put(NumberRecord.NEGATIVE_MASS, "5");
          fields.put(NumberRecord.REPORTS, "5");
          fields.put(NumberRecord.NEGATIVE_REPORTERS, "5");
          fields.put(NumberRecord.NEGATIVE_NETWORKS, "5");
          fields.put(NumberRecord.CATEGORY_PREFIX + "DEBT_COLLECTION", "3");
          fields.put(NumberRecord.CATEGORY_PREFIX + "CONTACT_HARASSMENT", "2");
        } else if (kind < 9) {
          fields.put(NumberRecord.NEGATIVE_MASS, "1");
          fields.put(NumberRecord.REPORTS, "1");
          fields.put(NumberRecord.NEGATIVE_REPORTERS, "1");
          fields.put(NumberRecord.NEGATIVE_NETWORKS, "1");
          fields.put(NumberRecord.CATEGORY_PREFIX + "THREAT", "1");
        } else {
          fields.put(NumberRecord.LEGITIMATE_MASS, "1");
          fields.put(NumberRecord.REPORTS, "1");
          fields.put(NumberRecord.LEGITIMATE_REPORTERS, "1");
          fields.put(NumberRecord.CATEGORY_PREFIX + "LEGITIMATE", "1");
        }
        pending.add(redis.hset(KeySchema.number(number), fields));
        pending.add(redis.zadd(KeySchema.index(KeySchema.shardOf(number)), (double) now, number));
        if (pending.size() >= BATCH * 2 || i == count - 1) {
          connection.flushCommands();
          for (RedisFuture<?> f : pending) {
            f.get(30, TimeUnit.SECONDS);
          }
          pending.clear();
          if (System.currentTimeMillis() - started > DEADLINE_MS) {
            throw new IllegalStateException("preload took over " + DEADLINE_MS / 1000 + " s; stopped at " + i);
          }
        }
      }
      // These writes bypass the change streams, so a filter checkpoint from before would not know them: drop it,
      // and the next start builds the filter from the indexes (and writes a new one).
      redis.del(FilterCheckpoint.KEY);
      connection.flushCommands();
    } finally {
      client.shutdown();
    }
    System.out.printf("preloaded %d records in %.1f s%n", count, (System.currentTimeMillis() - started) / 1000.0);
  }
}
