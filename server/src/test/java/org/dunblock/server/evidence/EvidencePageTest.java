package org.dunblock.server.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvidencePageTest {
  @Test
  void nightIsNinePmToEightAm() {
    for (int h = 0; h < 24; h++) {
      assertEquals(h >= 21 || h < 8, EvidencePacks.isNight(h), "hour " + h);
    }
  }

  @Test
  void textFromReportersIsEscaped() {
    assertEquals("&lt;script&gt;a&amp;b&quot;c&#39;&lt;/script&gt;", EvidencePage.esc("<script>a&b\"c'</script>"));
    String chart = EvidencePage.horizontalChart("<t>", new JsonObject().put("<b>x</b>", 2L), "THREAT");
    assertFalse(chart.contains("<b>"));
    assertTrue(chart.contains("&lt;b&gt;x&lt;/b&gt;"));
  }

  @Test
  void dayChartFillsGapsAndKeepsTheLatestDays() {
    JsonObject days = new JsonObject().put("2026-01-01", 1L).put("2026-01-04", 3L);
    List<Map.Entry<String, Long>> filled = EvidencePacks.filledDays(days, 92);
    assertEquals(List.of(Map.entry("2026-01-01", 1L), Map.entry("2026-01-02", 0L), Map.entry("2026-01-03", 0L),
        Map.entry("2026-01-04", 3L)), filled);
    assertEquals(List.of(Map.entry("2026-01-03", 0L), Map.entry("2026-01-04", 3L)),
        EvidencePacks.filledDays(days, 2));
  }

  @Test
  void barChartDrawsOneBarPerValueAndHighlightsNight() {
    long[] values = new long[24];
    values[2] = 5;
    values[12] = 1;
    boolean[] night = new boolean[24];
    for (int h = 0; h < 24; h++) {
      night[h] = EvidencePacks.isNight(h);
    }
    String svg = EvidencePage.barChart("hours", java.util.Collections.nCopies(24, "h"), values, night);
    assertEquals(24, svg.split("<rect ", -1).length - 1);
    assertEquals(11, svg.split("fill=\"#a4262c\"", -1).length - 1, "11 night hours");
    assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  }

  @Test
  void unknownRegionsReadInUtc() {
    RegionZones zones = new RegionZones();
    assertEquals("CN", zones.regionOf("+8613800138000"));
    assertEquals("CN", zones.regionOf("+8695588"));
    assertEquals("Asia/Shanghai", zones.zoneOf("+8613800138000").getId());
    assertEquals(ZoneOffset.UTC, zones.zoneOfRegion("AQ"));
  }
}
