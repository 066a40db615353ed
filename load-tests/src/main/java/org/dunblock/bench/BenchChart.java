package org.dunblock.bench;

import io.vertx.core.json.JsonObject;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws bench.sh's JSON as a PNG for the README (headless java.awt, no charting library): on the left throughput
 * at saturation per scenario with its ratio to the bare Vert.x server, on the right p50 / p99 / p99.9 latency at
 * half of that throughput, on a log scale.
 *
 *   java -Djava.awt.headless=true -cp load-tests/target/benchmarks.jar org.dunblock.bench.BenchChart \
 *       load-tests/target/bench.json docs/bench.png
 */
public final class BenchChart {
  private static final int WIDTH = 1100;
  private static final int ROW = 46;
  private static final int TOP = 70;
  private static final Color[] LATENCY = {new Color(0x4c78a8), new Color(0xf58518), new Color(0xe45756)};

  private BenchChart() {
  }

  public static void main(String[] args) throws Exception {
    JsonObject bench = new JsonObject(Files.readString(Path.of(args[0])));
    JsonObject scenarios = bench.getJsonObject("scenarios");
    boolean pinned = bench.getJsonObject("settings").getBoolean("pinnedLatency", false);
    int rows = scenarios.size();
    int height = TOP + rows * ROW + 60;
    BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    JsonObject machine = bench.getJsonObject("machine");
    g.drawString("Dunblock vs. bare Vert.x, one run of load-tests/bench.sh", 20, 26);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString(String.format(Locale.ROOT, "%d cores (%s), load average %s at start, %s at end; %d numbers preloaded",
        machine.getInteger("cores"), machine.getString("cpu"), machine.getString("loadAverageStart"),
        machine.getString("loadAverageEnd"), bench.getJsonObject("settings").getInteger("rows")), 20, 46);

    double maxRps = 1;
    double maxLatency = 1;
    for (String name : scenarios.fieldNames()) {
      JsonObject s = scenarios.getJsonObject(name);
      maxRps = Math.max(maxRps, s.getDouble("requestsPerSecond"));
      maxLatency = Math.max(maxLatency, s.getDouble("p999Ms"));
    }
    int labelX = 20;
    int barX = 110;
    int barWidth = 380;
    int latencyX = 640;
    int latencyWidth = 420;
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
    g.drawString("requests/s at saturation (wrk), ratio to bare", barX, TOP - 6);
    g.drawString(pinned ? "latency at half the pinned saturation (OpenLoad), ms, log scale"
        : "latency at half that rate (OpenLoad), ms, log scale", latencyX, TOP - 6);
    int y = TOP;
    for (String name : scenarios.fieldNames()) {
      JsonObject s = scenarios.getJsonObject(name);
      double rps = s.getDouble("requestsPerSecond");
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
      g.drawString(name, labelX, y + 24);
      int w = (int) Math.round(barWidth * rps / maxRps);
      g.setColor("bare".equals(name) ? Color.GRAY : new Color(0x54a24b));
      g.fillRect(barX, y + 8, Math.max(1, w), 22);
      g.setColor(Color.BLACK);
      Double ratio = s.getDouble("ratioToBare");
      Double target = s.getDouble("target");
      g.drawString(String.format(Locale.ROOT, "%,.0f  (%.2fx%s)", rps, ratio == null ? 0 : ratio,
          target == null ? "" : ", target " + target), barX + Math.max(1, w) + 6, y + 24);
      String[] keys = {"p50Ms", "p99Ms", "p999Ms"};
      for (int i = 0; i < keys.length; i++) {
        double ms = Math.max(0.1, s.getDouble(keys[i]));
        int lw = (int) Math.round(latencyWidth * Math.log10(ms / 0.1) / Math.log10(maxLatency / 0.1));
        g.setColor(LATENCY[i]);
        g.fillRect(latencyX, y + 6 + i * 8, Math.max(1, lw), 7);
      }
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
      g.drawString(String.format(Locale.ROOT, "%.1f / %.1f / %.1f", s.getDouble("p50Ms"), s.getDouble("p99Ms"),
          s.getDouble("p999Ms")), latencyX + latencyWidth - 120, y + 40);
      y += ROW;
    }
    g.setStroke(new BasicStroke(1));
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    String[] legend = {"p50", "p99", "p99.9"};
    for (int i = 0; i < legend.length; i++) {
      g.setColor(LATENCY[i]);
      g.fillRect(latencyX + i * 70, y + 12, 12, 10);
      g.setColor(Color.BLACK);
      g.drawString(legend[i], latencyX + i * 70 + 16, y + 21);
    }
    g.drawString(pinned
        ? "Saturation on all cores; latency with server and generator pinned apart."
        : "Server, Redis and both load generators share the same cores.", labelX, y + 21);
    g.dispose();
    ImageIO.write(image, "png", new File(args[1]));
  }
}
