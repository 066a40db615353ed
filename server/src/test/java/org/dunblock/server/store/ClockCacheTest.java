package org.dunblock.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class ClockCacheTest {
  final AtomicInteger evictions = new AtomicInteger();

  ClockCache<String, String> cache(int entries, long weight) {
    return new ClockCache<>(entries, weight, evictions::incrementAndGet);
  }

  static boolean fill(ClockCache<String, String> cache, String key, long weight) {
    return cache.complete(key, cache.begin(key), "value of " + key, weight);
  }

  @Test
  void filledKeyIsServedUntilRemoved() {
    ClockCache<String, String> cache = cache(10, 1_000);
    assertNull(cache.get("a"));
    assertTrue(fill(cache, "a", 100));
    assertEquals("value of a", cache.get("a"));
    assertEquals(1, cache.size());
    assertEquals(100, cache.weight());
    cache.remove("a");
    assertNull(cache.get("a"));
    assertEquals(0, cache.size());
    assertEquals(0, cache.weight());
  }

  @Test
  void keyBeingFilledIsAMiss() {
    ClockCache<String, String> cache = cache(10, 1_000);
    cache.begin("a");
    assertNull(cache.get("a"));
    assertEquals(0, cache.size());
  }

  @Test
  void removalWhileTheValueIsReadDropsTheLateValue() {
    ClockCache<String, String> cache = cache(10, 1_000);
    ClockCache.Fill fill = cache.begin("a");
    cache.remove("a");
    assertFalse(cache.complete("a", fill, "old", 100));
    assertNull(cache.get("a"));
    assertEquals(0, cache.weight());
  }

  @Test
  void clearWhileTheValueIsReadDropsTheLateValue() {
    ClockCache<String, String> cache = cache(10, 1_000);
    fill(cache, "b", 100);
    ClockCache.Fill fill = cache.begin("a");
    cache.clear();
    assertFalse(cache.complete("a", fill, "old", 100));
    assertNull(cache.get("a"));
    assertNull(cache.get("b"));
    assertEquals(0, cache.size());
    assertEquals(0, cache.weight());
  }

  @Test
  void onlyTheLatestFillOfAKeyIsKept() {
    ClockCache<String, String> cache = cache(10, 1_000);
    ClockCache.Fill first = cache.begin("a");
    ClockCache.Fill second = cache.begin("a");
    assertFalse(cache.complete("a", first, "first", 100));
    assertTrue(cache.complete("a", second, "second", 100));
    assertEquals("second", cache.get("a"));
    assertEquals(1, cache.size());
  }

  @Test
  void refillingACachedKeyReplacesItWithoutCountingItTwice() {
    ClockCache<String, String> cache = cache(10, 1_000);
    fill(cache, "a", 100);
    fill(cache, "a", 300);
    assertEquals(1, cache.size());
    assertEquals(300, cache.weight());
  }

  @Test
  void abandonedFillLeavesAMiss() {
    ClockCache<String, String> cache = cache(10, 1_000);
    ClockCache.Fill fill = cache.begin("a");
    cache.abandon("a", fill);
    assertNull(cache.get("a"));
    assertFalse(cache.complete("a", fill, "late", 100));
    // An abandoned fill does not remove a later one.
    ClockCache.Fill later = cache.begin("a");
    cache.abandon("a", fill);
    assertTrue(cache.complete("a", later, "later", 100));
    assertEquals("later", cache.get("a"));
  }

  @Test
  void neverHoldsMoreEntriesThanItsBound() {
    ClockCache<String, String> cache = cache(10, 1_000_000);
    for (int i = 0; i < 1_000; i++) {
      assertTrue(fill(cache, "k" + i, 1));
      assertTrue(cache.size() <= 10);
    }
    assertEquals(10, cache.size());
    assertEquals(990, evictions.get());
    assertEquals(10, present(cache, 1_000));
  }

  @Test
  void neverHoldsMoreWeightThanItsBound() {
    ClockCache<String, String> cache = cache(1_000, 1_000);
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1_000; i++) {
      assertTrue(fill(cache, "k" + i, 1 + random.nextInt(300)));
      assertTrue(cache.weight() <= 1_000, "weight " + cache.weight());
    }
    assertTrue(cache.size() >= 3, "kept " + cache.size());
  }

  @Test
  void valueHeavierThanTheWholeBoundIsNotKeptAndEvictsNothing() {
    ClockCache<String, String> cache = cache(10, 1_000);
    fill(cache, "small", 100);
    assertFalse(fill(cache, "huge", 1_001));
    assertNull(cache.get("huge"));
    assertEquals("value of small", cache.get("small"));
    assertEquals(0, evictions.get());
  }

  @Test
  void keysReadSinceTheHandPassedSurviveAndTheOthersGo() {
    ClockCache<String, String> cache = cache(10, 1_000_000);
    for (int i = 0; i < 10; i++) {
      fill(cache, "k" + i, 1);
    }
    for (int i = 0; i < 5; i++) {
      cache.get("k" + i);
    }
    for (int i = 10; i < 15; i++) {
      fill(cache, "k" + i, 1);
    }
    for (int i = 0; i < 5; i++) {
      assertEquals("value of k" + i, cache.get("k" + i), "read, so kept: k" + i);
    }
    for (int i = 5; i < 10; i++) {
      assertNull(cache.get("k" + i), "not read, so evicted: k" + i);
    }
  }

  @Test
  void hotKeysReadBetweenFillsSurviveAScanOfOneOffKeys() {
    ClockCache<String, String> cache = cache(100, 1_000_000);
    int hotFills = 0;
    for (int i = 0; i < 1_000; i++) {
      for (int hot = 0; hot < 10; hot++) {
        if (cache.get("hot" + hot) == null) {
          fill(cache, "hot" + hot, 1);
          hotFills++;
        }
      }
      fill(cache, "once" + i, 1);
    }
    // Each hot key was filled once and never evicted (first in, first out would refill them every 90 fills).
    assertEquals(10, hotFills);
    assertEquals(100, cache.size());
  }

  @Test
  void removalFreesTheSlotForAnotherKeyWithoutEvicting() {
    ClockCache<String, String> cache = cache(3, 1_000);
    fill(cache, "a", 1);
    fill(cache, "b", 1);
    fill(cache, "c", 1);
    cache.remove("b");
    assertTrue(fill(cache, "d", 1));
    assertEquals(0, evictions.get());
    assertEquals(3, present(cache, "a", "c", "d"));
  }

  @Test
  void concurrentFillsReadsRemovalsAndClearsKeepTheBoundsTheTotalsAndNoRemovedValue() throws Exception {
    ClockCache<String, Long> cache = new ClockCache<>(50, 5_000, evictions::incrementAndGet);
    int threads = 4;
    int keys = 200;
    // Each fill's value is a version taken as it begins; each removal (and clear) records the version it came
    // after. The test's own lock orders only those two steps, so that a fill that began before a removal has a
    // smaller version than the removal's; fills' completions and reads race freely with everything.
    AtomicLong versions = new AtomicLong();
    AtomicLongArray removedAt = new AtomicLongArray(keys);
    Object order = new Object();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int seed = t;
      done.add(pool.submit(() -> {
        SplittableRandom random = new SplittableRandom(seed);
        start.await();
        for (int i = 0; i < 200_000; i++) {
          int k = random.nextInt(keys);
          String key = "k" + k;
          int action = random.nextInt(1_000);
          if (action < 700) {
            long removed = removedAt.get(k);
            Long value = cache.get(key);
            if (value != null && value < removed) {
              throw new AssertionError(key + " served version " + value + " after its removal at " + removed);
            }
          } else if (action < 950) {
            ClockCache.Fill fill;
            long version;
            synchronized (order) {
              fill = cache.begin(key);
              version = versions.incrementAndGet();
            }
            cache.get("k" + random.nextInt(keys));
            cache.complete(key, fill, version, 1 + (k & 0x7f));
          } else if (action < 990) {
            synchronized (order) {
              cache.remove(key);
              removedAt.set(k, versions.incrementAndGet());
            }
          } else if (action < 999) {
            cache.abandon(key, cache.begin(key));
          } else {
            synchronized (order) {
              cache.clear();
              long now = versions.incrementAndGet();
              for (int j = 0; j < keys; j++) {
                removedAt.set(j, now);
              }
            }
          }
          if (cache.size() > 50 || cache.weight() > 5_000) {
            throw new AssertionError(cache.size() + " entries, weight " + cache.weight());
          }
        }
        return null;
      }));
    }
    start.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long weight = 0;
    int size = 0;
    for (int k = 0; k < keys; k++) {
      if (cache.get("k" + k) != null) {
        size++;
        weight += 1 + (k & 0x7f);
      }
    }
    assertEquals(size, cache.size(), "size counts exactly the kept entries");
    assertEquals(weight, cache.weight(), "weight sums exactly the kept entries");
    // No slot leaked or given out twice: with every key removed, the whole bound fills again without evicting.
    for (int k = 0; k < keys; k++) {
      cache.remove("k" + k);
    }
    assertEquals(0, cache.size());
    assertEquals(0, cache.weight());
    int evictedBefore = evictions.get();
    for (int i = 0; i < 50; i++) {
      assertTrue(cache.complete("again" + i, cache.begin("again" + i), (long) i, 1));
    }
    assertEquals(evictedBefore, evictions.get(), "50 fills into 50 free slots evict nothing");
    for (int i = 0; i < 50; i++) {
      assertEquals(Long.valueOf(i), cache.get("again" + i));
    }
  }

  static int present(ClockCache<String, String> cache, String... keys) {
    int n = 0;
    for (String key : keys) {
      n += cache.get(key) != null ? 1 : 0;
    }
    return n;
  }

  static int present(ClockCache<String, String> cache, int upTo) {
    return present(cache, upTo, "k");
  }

  static int present(ClockCache<String, String> cache, int upTo, String prefix) {
    int n = 0;
    for (int i = 0; i < upTo; i++) {
      n += cache.get(prefix + i) != null ? 1 : 0;
    }
    return n;
  }
}
