package org.dunblock.server.feed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FilterVersionTest {
  static String[] ids(String first) {
    String[] ids = new String[16];
    java.util.Arrays.fill(ids, "0-0");
    ids[0] = first;
    ids[15] = "1764000000123-18446744073709551615";
    return ids;
  }

  @Test
  void versionRoundTripsThroughItsText() {
    FilterVersion v = FilterVersion.of(ids("1764000000000-7"));
    String text = v.toString();
    assertTrue(text.startsWith("1."), text);
    assertTrue(text.matches("1\\.[A-Za-z0-9_-]+"), "URL-safe: " + text);
    assertEquals(v, FilterVersion.parse(text));
    assertArrayEquals(ids("1764000000000-7"), FilterVersion.parse(text).ids());
  }

  @Test
  void withMovesOneShard() {
    FilterVersion v = FilterVersion.of(ids("5-0")).with(3, "9-1");
    assertEquals("9-1", v.id(3));
    assertEquals("5-0", v.id(0));
  }

  @Test
  void foreignTextIsRefused() {
    for (String bad : new String[] {"", "2.AAAA", "1.!!", "1.AAAA", "nonsense", "1." + "A".repeat(2000)}) {
      assertThrows(IllegalArgumentException.class, () -> FilterVersion.parse(bad), bad);
    }
    String valid = FilterVersion.of(ids("1-1")).toString();
    assertThrows(IllegalArgumentException.class, () -> FilterVersion.parse(valid + "AA"));
  }

  @Test
  void idsCompareNumerically() {
    assertTrue(org.dunblock.server.store.StreamIds.compare("10-0", "9-5") > 0);
    assertTrue(org.dunblock.server.store.StreamIds.compare("9-10", "9-9") > 0);
    assertEquals(0, org.dunblock.server.store.StreamIds.compare("9-9", "9-9"));
  }

  @Test
  void appFilterCapacityLeavesRoomAndStaysStable() {
    assertEquals(16_384, FilterFeed.capacityFor(0));
    assertEquals(16_384, FilterFeed.capacityFor(8_000));
    assertEquals(32_768, FilterFeed.capacityFor(8_193));
    assertEquals(2_097_152, FilterFeed.capacityFor(1_000_000));
  }
}
