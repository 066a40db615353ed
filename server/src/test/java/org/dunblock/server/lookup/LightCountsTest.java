package org.dunblock.server.lookup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LightCountsTest {
  static final int LIGHT = 8;

  @Test
  void aClientStaysLightUntilItsCountWouldPassTheBoundAndIsThenToldAllItMade() {
    LightCounts counts = new LightCounts(1, 1 << 16, 42, 0);
    for (int i = 1; i <= LIGHT; i++) {
      assertEquals(-1, counts.addIfLight("198.51.100.7", 1, LIGHT), "lookup " + i + " is light");
    }
    assertEquals(LIGHT, counts.addIfLight("198.51.100.7", 1, LIGHT), "the ninth is not, and is told the eight");
    assertEquals(-1, counts.addIfLight("198.51.100.8", 6, LIGHT));
    assertEquals(6, counts.addIfLight("198.51.100.8", 3, LIGHT), "a batch that passes the bound is not light");
  }

  @Test
  void aBatchLargerThanTheBoundIsNeverLightNorIsTheClientAfterIt() {
    LightCounts counts = new LightCounts(1, 1 << 16, 42, 0);
    assertEquals(0, counts.addIfLight("203.0.113.1", LIGHT + 1, LIGHT));
    assertEquals(LIGHT, counts.addIfLight("203.0.113.1", 1, LIGHT), "told at most the bound");
    assertEquals(-1, counts.addIfLight("203.0.113.2", 1, LIGHT), "another client is light");
  }

  @Test
  void underHeavyCollisionsNoClientIsEverToldLessThanItMade() {
    // 20,000 clients on 1,024 columns: most counters are shared, so estimates run high; never low.
    LightCounts counts = new LightCounts(1, 1024, 7, 0);
    SplittableRandom random = new SplittableRandom(3);
    Map<String, Integer> made = new HashMap<>();
    Set<String> heavy = new HashSet<>();
    int told = 0;
    for (int i = 0; i < 100_000; i++) {
      String client = "10.0." + random.nextInt(80) + "." + random.nextInt(250);
      if (heavy.contains(client)) {
        continue;
      }
      int n = 1 + random.nextInt(3);
      int answer = counts.addIfLight(client, n, LIGHT);
      if (answer == -1) {
        made.merge(client, n, Integer::sum);
        assertTrue(made.get(client) <= LIGHT, client + " light past the bound: " + made.get(client));
      } else {
        told++;
        assertTrue(answer <= LIGHT, "told " + answer);
        assertTrue(answer >= made.getOrDefault(client, 0), client + " made " + made.get(client) + ", told " + answer);
        heavy.add(client);
      }
    }
    for (Map.Entry<String, Integer> e : made.entrySet()) {
      assertTrue(counts.estimate(e.getKey()) >= e.getValue(), e.getKey());
    }
    assertTrue(told > 1_000, "the collisions were heavy enough to matter: " + told);
  }

  @Test
  void withTwoToFourColumnsAClientAlmostEveryEstimateIsExact() {
    LightCounts counts = new LightCounts(1, LightCounts.columnsFor(2 * 5_000, 1 << 21), 11, 0);
    for (int i = 0; i < 5_000; i++) {
      counts.addIfLight("2001:db8:" + Integer.toHexString(i) + "::", 1 + i % 3, LIGHT);
    }
    int exact = 0;
    for (int i = 0; i < 5_000; i++) {
      exact += counts.estimate("2001:db8:" + Integer.toHexString(i) + "::") == 1 + i % 3 ? 1 : 0;
    }
    // A high estimate only makes a client tracked one by one a little early, as every client was before.
    assertTrue(exact >= 4_950, exact + " of 5,000 exact");
  }

  @Test
  void anotherKeySharesOtherCounters() {
    // Which clients share counters depends on the instance's key, which clients do not know.
    LightCounts one = new LightCounts(1, 1024, 1, 0);
    LightCounts other = new LightCounts(1, 1024, 2, 0);
    for (int i = 0; i < 3_000; i++) {
      one.addIfLight("192.0.2." + i, 1, Integer.MAX_VALUE);
      other.addIfLight("192.0.2." + i, 1, Integer.MAX_VALUE);
    }
    int differ = 0;
    for (int i = 0; i < 3_000; i++) {
      differ += one.estimate("192.0.2." + i) != other.estimate("192.0.2." + i) ? 1 : 0;
    }
    assertTrue(differ > 300, differ + " of 3,000 estimates differ");
  }

  @Test
  void concurrentAddsAreAllCounted() throws Exception {
    LightCounts counts = new LightCounts(1, 1 << 16, 5, 0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 50_000; i++) {
            counts.addIfLight("client-" + i % 100, 1, Integer.MAX_VALUE);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    // 100 clients on 65,536 columns share no counter in all four rows: each count is exact, no add lost.
    for (int c = 0; c < 100; c++) {
      assertEquals(2_000, counts.estimate("client-" + c), "client-" + c);
    }
  }

  @Test
  void theFillIsTheShareOfCountersInUse() {
    LightCounts counts = new LightCounts(1, 1024, 9, 0);
    assertEquals(0.0, counts.fill());
    for (int i = 0; i < 100; i++) {
      counts.addIfLight("198.18.0." + i, 1, LIGHT);
    }
    // 100 clients on 1,024 columns: a few share a column of the first row.
    assertTrue(counts.fill() > 90 / 1024.0 && counts.fill() <= 100 / 1024.0, "fill " + counts.fill());
  }

  @Test
  void columnsArePowersOfTwoWithinBounds() {
    assertEquals(1024, LightCounts.columnsFor(1, 1 << 21));
    assertEquals(262_144, LightCounts.columnsFor(200_000, 1 << 21));
    assertEquals(1 << 21, LightCounts.columnsFor(50_000_000, 1 << 21));
    assertEquals(65_536, LightCounts.columnsFor(65_536, 1 << 21));
    assertThrows(IllegalArgumentException.class, () -> new LightCounts(1, 1000, 1, 0));
  }
}
