package org.dunblock.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompactRecordTest {
  static Map<String, String> record(String reports, String platform) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(NumberRecord.REPORTS, reports);
    fields.put(NumberRecord.NEGATIVE_MASS, "4.5");
    fields.put(NumberRecord.CATEGORY_PREFIX + "DEBT_COLLECTION", reports);
    if (platform != null) {
      fields.put(NumberRecord.PLATFORM_PREFIX + platform, "1");
    }
    return fields;
  }

  @Test
  void readsLikeTheHashItWasMadeFrom() {
    Map<String, String> fields = record("5", "quick cash");
    CompactRecord compact = CompactRecord.of(fields);
    assertEquals(fields, compact);
    assertEquals(fields.hashCode(), compact.hashCode());
    assertEquals("5", compact.get(new String(NumberRecord.REPORTS)), "found by equality, not only identity");
    assertTrue(compact.containsKey(NumberRecord.PLATFORM_PREFIX + "quick cash"));
    assertNull(compact.get("missing"));
    assertFalse(compact.containsKey("missing"));
    assertEquals(4, compact.size());
    Map<String, String> seen = new LinkedHashMap<>();
    compact.forEach(seen::put);
    assertEquals(fields, seen);
    assertEquals(fields.keySet().stream().toList(), compact.keySet().stream().toList(), "order kept");
    assertTrue(CompactRecord.of(Map.of()).isEmpty());
    assertThrows(UnsupportedOperationException.class, () -> compact.put("reports", "6"));
  }

  @Test
  void emptyAndNonLatinValuesReadBackExactly() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("first", "");
    fields.put("name", "催收 \uD83D\uDCDE");
    fields.put("middle", "");
    fields.put("last", "x");
    fields.put("end", "");
    CompactRecord compact = CompactRecord.of(fields);
    assertEquals(fields, compact);
    assertEquals(compact, fields);
    assertEquals(fields.hashCode(), compact.hashCode());
    assertEquals(fields.entrySet().stream().toList(), compact.entrySet().stream().toList());
    assertEquals("", compact.get("first"));
    assertEquals("催收 \uD83D\uDCDE", compact.get("name"));
    assertEquals("", compact.get("end"));
    Map<String, String> ascii = new LinkedHashMap<>(fields);
    ascii.put("name", "abcd e");
    assertTrue(CompactRecord.of(fields).heapBytes() > CompactRecord.of(ascii).heapBytes(),
        "two bytes a character outside Latin-1");
  }

  @Test
  void recordsOfOneShapeShareTheirNamesAndWeighLess() {
    CompactRecord a = CompactRecord.of(record("5", null));
    CompactRecord b = CompactRecord.of(record("7", null));
    CompactRecord other = CompactRecord.of(record("7", "loan go"));
    assertTrue(a.sharesNamesWith(b));
    assertFalse(a.sharesNamesWith(other));
    assertEquals("7", b.get(NumberRecord.REPORTS));
    // Less than the map HGETALL returns: about 120 bytes a field with the names, under 60 without. The record that
    // made the shape pays for its names; those sharing them do not.
    assertTrue(b.heapBytes() < 3 * 60 + 60, "weight " + b.heapBytes());
    assertTrue(a.heapBytes() > b.heapBytes() + 3 * 40, a.heapBytes() + " against " + b.heapBytes());
  }

  @Test
  void aRecordOfANewShapePaysForItsNamesHoweverLong() {
    // Platform names are fields of up to 100 characters that reporters choose: a new shape is never weighed free.
    String platform = "p".repeat(100) + System.nanoTime();
    CompactRecord first = CompactRecord.of(record("1", platform));
    CompactRecord second = CompactRecord.of(record("2", platform));
    assertTrue(first.heapBytes() >= second.heapBytes() + 100, first.heapBytes() + " against " + second.heapBytes());
  }

  @Test
  void manyShapesStayBoundedAndStillRead() {
    for (int i = 0; i < 10_000; i++) {
      CompactRecord r = CompactRecord.of(record(Integer.toString(i), "platform " + i));
      assertEquals(Integer.toString(i), r.get(NumberRecord.REPORTS));
      assertEquals("1", r.get(NumberRecord.PLATFORM_PREFIX + "platform " + i));
    }
    CompactRecord a = CompactRecord.of(record("1", "after"));
    assertTrue(a.sharesNamesWith(CompactRecord.of(record("2", "after"))), "sharing goes on past the bound");
  }
}
