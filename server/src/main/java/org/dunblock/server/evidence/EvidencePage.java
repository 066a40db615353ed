package org.dunblock.server.evidence;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders an evidence pack (the JSON of {@link EvidencePacks}) as one printable HTML page: a summary table and
 * inline SVG bar charts, no JavaScript, no external assets. It shows only what the JSON holds, so the page never
 * says more than the API does. Every piece of text from the store (platform names) is escaped.
 */
public final class EvidencePage {
  /** Days shown in the per-day chart; the JSON has them all. */
  static final int CHART_DAYS = 92;
  private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
  private static final String DAY_COLOUR = "#52647a";
  private static final String NIGHT_COLOUR = "#a4262c";

  private static final String STYLE = """
      *{box-sizing:border-box;-webkit-print-color-adjust:exact;print-color-adjust:exact}
      body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;\
      color:#111;max-width:820px;margin:24px auto;padding:0 16px}
      h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid #999}
      .subject{font-size:18px;margin:4px 0}.meta,.note{color:#444;font-size:12px}
      table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #ddd;\
      vertical-align:top}th{width:38%;font-weight:600}td.n,th.n{text-align:right}
      .big{font-size:18px;font-weight:700}.night{color:#a4262c;font-weight:700}
      .legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px;vertical-align:middle}
      svg{display:block;width:100%;height:auto}svg text{font:10px system-ui,sans-serif;fill:#222}
      footer{margin-top:28px;border-top:1px solid #999;padding-top:8px;font-size:12px;color:#333}
      @page{size:A4;margin:14mm}
      @media print{body{margin:0;max-width:none;padding:0}section{break-inside:avoid}h2{break-after:avoid}}
      """;

  private EvidencePage() {
  }

  public static String render(JsonObject pack) {
    boolean number = "number".equals(pack.getString("kind"));
    ZoneId zone = zoneOf(pack);
    StringBuilder html = new StringBuilder(16_384);
    String subject = pack.getString("subject");
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .append("<title>Evidence pack: ").append(esc(number ? subject : "platform " + subject)).append("</title>")
        .append("<style>").append(STYLE).append("</style></head><body>\n");

    html.append("<header><h1>Evidence pack</h1>");
    if (number) {
      html.append("<p class=\"subject\">Number <strong>").append(esc(international(subject))).append("</strong> (")
          .append(esc(subject)).append(", region ").append(esc(pack.getString("region"))).append(")</p>");
    } else {
      html.append("<p class=\"subject\">Lending platform <strong>").append(esc(subject)).append("</strong></p>");
    }
    html.append("<p class=\"meta\">Generated ").append(esc(local(pack.getString("generatedAt"), zone)))
        .append(" (").append(esc(zone.getId())).append(") by Dunblock from anonymous crowd reports. ")
        .append(number ? "Times are local to the number's region: " + esc(zone.getId()) + "."
            : "Days and hours are local to each reported number's region ("
                + esc(String.join(", ", pack.getJsonObject("timeZones").fieldNames())) + ").")
        .append("</p></header>\n");

    summary(html, pack, number, zone);

    html.append("<section><h2>Reports per day</h2>");
    List<Map.Entry<String, Long>> days = EvidencePacks.filledDays(pack.getJsonObject("reportsPerDay"), CHART_DAYS);
    if (days.isEmpty()) {
      html.append("<p class=\"note\">No reports.</p>");
    } else {
      List<String> labels = new ArrayList<>();
      long[] values = new long[days.size()];
      for (int i = 0; i < days.size(); i++) {
        labels.add(days.get(i).getKey().substring(5));
        values[i] = days.get(i).getValue();
      }
      html.append(barChart("Reports per day", labels, values, new boolean[values.length]));
      if (pack.getJsonObject("reportsPerDay").size() > 0 && days.size() == CHART_DAYS) {
        html.append("<p class=\"note\">The chart shows the last ").append(CHART_DAYS)
            .append(" days; the JSON form of this pack has every day.</p>");
      }
    }
    html.append("</section>\n");

    html.append("<section><h2>Calls by hour of day</h2>");
    JsonArray hours = pack.getJsonArray("callsByHour");
    List<String> hourLabels = new ArrayList<>();
    long[] hourValues = new long[24];
    boolean[] night = new boolean[24];
    for (int h = 0; h < 24; h++) {
      hourLabels.add(String.format("%02d", h));
      hourValues[h] = hours.getLong(h);
      night[h] = EvidencePacks.isNight(h);
    }
    html.append(barChart("Calls by hour of day", hourLabels, hourValues, night));
    html.append("<p class=\"legend note\"><span style=\"background:").append(DAY_COLOUR).append("\"></span>day")
        .append("<span style=\"background:").append(NIGHT_COLOUR).append("\"></span>night (")
        .append(esc(nightWindow(pack))).append(")</p></section>\n");

    html.append("<section><h2>Categories</h2>");
    JsonObject categories = pack.getJsonObject("categories");
    if (categories.isEmpty()) {
      html.append("<p class=\"note\">No reports.</p>");
    } else {
      html.append(horizontalChart("Categories", categories, "THREAT"));
      html.append("<p class=\"note\">").append(number
          ? "One vote per reporter: each reporter's current category."
          : "Each reporter counted once per number, with the category of their first report naming the platform.")
          .append("</p>");
    }
    html.append("</section>\n");

    if (number) {
      html.append("<section><h2>Platforms named</h2>");
      table(html, pack.getJsonObject("platforms"), "Lending platform or app named by the caller", "Reporters");
      html.append("</section>\n");
    } else {
      html.append("<section><h2>Numbers reported for this platform</h2>");
      JsonObject top = new JsonObject();
      for (Object o : pack.getJsonArray("topNumbers")) {
        JsonObject entry = (JsonObject) o;
        top.put(international(entry.getString("number")), entry.getLong("reports"));
      }
      table(html, top, "Number", "Reports");
      if (pack.getLong("numbers") > top.size()) {
        html.append("<p class=\"note\">The ").append(top.size()).append(" most reported of ")
            .append(pack.getLong("numbers")).append(" numbers.</p>");
      }
      html.append("</section>\n");
    }

    html.append("<footer><p><strong>About this pack.</strong> Counts come from anonymous reports by people who "
        + "received the calls; reports are not verified one by one. No reporter identity is included: no "
        + "reporter token, hash or network address, and none of the free-text notes reporters may write "
        + "(a note can hold a victim's own name).</p>");
    if (number) {
      html.append("<p>Distinct victims counts people (one per reporter token) whose current report is a "
          + "complaint; reports counts every reported call, including a victim's repeated reports.</p>");
    } else {
      html.append("<p>Platform figures are derived from reports naming the platform and may lag slightly; "
          + "distinct victims is an estimate (HyperLogLog, about 1 % error on large counts).</p>");
    }
    html.append("</footer>\n</body></html>\n");
    return html.toString();
  }

  private static void summary(StringBuilder html, JsonObject pack, boolean number, ZoneId zone) {
    long reports = pack.getLong("reports");
    long nightCalls = pack.getLong("nightCalls");
    html.append("<section><h2>Summary</h2><table>");
    row(html, "Distinct victims", "<span class=\"big\">" + pack.getLong("victims") + "</span>"
        + (number ? "" : " (estimate)"));
    row(html, number ? "Calls reported" : "Reports (one per victim and number)", reports
        + (number && pack.getLong("repeatReports") > 0
            ? " (" + pack.getLong("repeatReports") + " repeated reports by the same victims)" : ""));
    if (!number) {
      row(html, "Distinct numbers", String.valueOf(pack.getLong("numbers")));
    }
    row(html, "Night calls (" + esc(nightWindow(pack)) + ")", "<span class=\"night\">" + nightCalls + "</span>"
        + (reports > 0 ? " of " + reports + " (" + Math.round(100.0 * nightCalls / reports) + " %)" : ""));
    row(html, "Threats", "<span class=\"big\">" + pack.getLong("threats") + "</span>");
    row(html, "First seen", esc(local(pack.getString("firstSeen"), zone)));
    row(html, "Last seen", esc(local(pack.getString("lastSeen"), zone)));
    if (number) {
      List<String> platforms = new ArrayList<>();
      pack.getJsonObject("platforms").forEach(e -> platforms.add(esc(e.getKey()) + " (" + e.getValue() + ")"));
      row(html, "Platforms named", platforms.isEmpty() ? "none" : String.join(", ", platforms));
      row(html, "Current verdict", esc(pack.getString("verdict")) + " (score " + pack.getDouble("score") + ")");
      row(html, "Distinct networks of complaints", String.valueOf(pack.getLong("networks")));
      row(html, "Counter-votes (number is fine)", String.valueOf(pack.getLong("counterVotes")));
    }
    html.append("</table></section>\n");
  }

  private static void row(StringBuilder html, String label, String valueHtml) {
    html.append("<tr><th>").append(label).append("</th><td>").append(valueHtml).append("</td></tr>");
  }

  private static void table(StringBuilder html, JsonObject counts, String what, String count) {
    if (counts.isEmpty()) {
      html.append("<p class=\"note\">None.</p>");
      return;
    }
    html.append("<table><tr><th>").append(esc(what)).append("</th><th class=\"n\">").append(esc(count))
        .append("</th></tr>");
    counts.forEach(e -> html.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"n\">")
        .append(e.getValue()).append("</td></tr>"));
    html.append("</table>");
  }

  /** A vertical bar chart; highlighted bars are drawn in the night colour. */
  static String barChart(String title, List<String> labels, long[] values, boolean[] highlighted) {
    int n = values.length;
    double width = 760;
    double height = 220;
    double left = 34;
    double right = 8;
    double top = 16;
    double bottom = 28;
    double plotW = width - left - right;
    double plotH = height - top - bottom;
    long max = 1;
    for (long v : values) {
      max = Math.max(max, v);
    }
    double slot = plotW / n;
    double bar = Math.max(1, slot * 0.78);
    int labelEvery = Math.max(1, (int) Math.ceil(n / 24.0));
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
        + "role=\"img\" aria-label=\"%s\"><title>%s</title>", width, height, esc(title), esc(title)));
    for (long tick : new long[] {0, (max + 1) / 2, max}) {
      double y = top + plotH - plotH * tick / max;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
          + "stroke=\"#ccc\" stroke-width=\"0.6\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d</text>",
          left, y, width - right, y, left - 4, y + 3.5, tick));
    }
    for (int i = 0; i < n; i++) {
      double h = plotH * values[i] / max;
      double x = left + i * slot + (slot - bar) / 2;
      double y = top + plotH - h;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
          + "fill=\"%s\"><title>%s: %d</title></rect>", x, y, bar, h,
          highlighted[i] ? NIGHT_COLOUR : DAY_COLOUR, esc(labels.get(i)), values[i]));
      if (values[i] > 0 && n <= 31) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d</text>",
            x + bar / 2, y - 3, values[i]));
      }
      if (i % labelEvery == 0) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
            x + bar / 2, top + plotH + 14, esc(labels.get(i))));
      }
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
        + "stroke=\"#333\" stroke-width=\"1\"/>", left, top + plotH, width - right, top + plotH));
    return svg.append("</svg>").toString();
  }

  /** A horizontal bar chart of labelled counts; the emphasised label is drawn in the night colour. */
  static String horizontalChart(String title, JsonObject counts, String emphasised) {
    double width = 760;
    double rowH = 22;
    double labelW = 170;
    double height = counts.size() * rowH + 8;
    long max = 1;
    for (Map.Entry<String, Object> e : counts) {
      max = Math.max(max, ((Number) e.getValue()).longValue());
    }
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
        + "role=\"img\" aria-label=\"%s\"><title>%s</title>", width, height, esc(title), esc(title)));
    int i = 0;
    for (Map.Entry<String, Object> e : counts) {
      long v = ((Number) e.getValue()).longValue();
      double y = 4 + i * rowH;
      double w = (width - labelW - 50) * v / max;
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>"
          + "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>"
          + "<text x=\"%.1f\" y=\"%.1f\">%d</text>", labelW - 6, y + 14, esc(e.getKey()), labelW, y + 3, w,
          rowH - 6, e.getKey().equals(emphasised) ? NIGHT_COLOUR : DAY_COLOUR, labelW + w + 4, y + 14, v));
      i++;
    }
    return svg.append("</svg>").toString();
  }

  private static String nightWindow(JsonObject pack) {
    JsonObject night = pack.getJsonObject("night");
    return night.getString("from") + "\u2013" + night.getString("to");
  }

  private static ZoneId zoneOf(JsonObject pack) {
    if (pack.containsKey("timeZone")) {
      return ZoneId.of(pack.getString("timeZone"));
    }
    JsonObject zones = pack.getJsonObject("timeZones");
    // The platform's most common zone (the object is ordered by count) for its first and last seen.
    return zones == null || zones.isEmpty() ? ZoneOffset.UTC : ZoneId.of(zones.fieldNames().iterator().next());
  }

  private static String local(String instant, ZoneId zone) {
    return instant == null ? "\u2014" : LOCAL.format(Instant.parse(instant).atZone(zone));
  }

  private static String international(String e164) {
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    try {
      var parsed = util.parse(e164, "ZZ");
      return util.isValidNumber(parsed) ? util.format(parsed, PhoneNumberFormat.INTERNATIONAL) : e164;
    } catch (NumberParseException e) {
      return e164;
    }
  }

  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
