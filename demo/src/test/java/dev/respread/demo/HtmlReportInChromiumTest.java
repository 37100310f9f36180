package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The report of a real run, off and respread on 16 pinned clients while the Service scales from
 * 2 to 4 pods ({@code --report}), opened in headless Chromium: the browser parses it into the
 * charts and the table, and draws each pod's line in its colour and the latency bars. Needs
 * Debian's {@code chromium} (installed by {@code .ci/run}); fails rather than skips without it.
 */
class HtmlReportInChromiumTest {
  private static final List<String> MODES = List.of("off", "respread");

  @TempDir
  static Path dir;
  private static Path report;
  private static String printed;
  private static int status;

  @BeforeAll
  static void runTheDemoWithAReport() throws Exception {
    report = dir.resolve("report.html");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    status = DemoMain.run(new String[] {"--modes", String.join(",", MODES), "--pods", "2",
            "--scale-to", "4", "--clients", "16", "--warmup", "5s", "--run", "8s", "--report",
            report.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    printed = out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theDemoSaysWhereItWroteTheReportAndItsSeries() {
    assertThat(status).as(printed).isZero();
    assertThat(printed).contains("report: " + report + " (raw series: "
        + dir.resolve("report.json") + ")");
    assertThat(report).isRegularFile();
    assertThat(dir.resolve("report.json")).isRegularFile();
  }

  @Test
  void theBrowserParsesAChartOfEveryPodAndALatencyChartForEveryMode() throws Exception {
    String dom = HeadlessChromium.dumpDom(report);

    for (String mode : MODES) {
      String pods = svg(dom, "pods", mode);
      assertThat(count(pods, "<polyline class=\"pod\"")).as(mode).isEqualTo(4);
      assertThat(pods).contains("scale-out: 2 → 4 pods", "calls per second");
      String latency = svg(dom, "latency", mode);
      assertThat(count(latency, "<rect class=\"bucket\"")).as(mode).isPositive();
      assertThat(latency).contains(">p50 ", ">p99 ", ">p99.9 ");
    }
    assertThat(count(svg(dom, "evenness", null), "<polyline class=\"mode\"")).isEqualTo(2);
  }

  @Test
  void theBrowserParsesTheSummaryTableWithEveryColumnOfTheTerminalTable() throws Exception {
    String dom = HeadlessChromium.dumpDom(report);

    String table = dom.substring(dom.indexOf("<table class=\"summary\">"),
        dom.indexOf("</table>"));
    for (Report.Column c : Report.columns()) {
      // A browser serialises text with &, < and > escaped, and quotes as they are.
      assertThat(table).contains(">" + c.heading.replace("&", "&amp;").replace("<", "&lt;")
          .replace(">", "&gt;") + "</th>");
    }
    assertThat(count(table, "<tr>")).isEqualTo(1 + MODES.size());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theBrowserDrawsEveryPodThatServedCallsInItsColourAndTheLatencyBars() throws Exception {
    BufferedImage page = HeadlessChromium.screenshot(report, 1100, 3000);

    // Which pods served calls, from the series beside the report: a pod that served none in
    // any mode lies on the axis, under the next pod's line.
    Map<String, Object> series = new Yaml().load(Files.readString(dir.resolve("report.json")));
    boolean[] served = new boolean[4];
    for (Map<String, Object> mode : (List<Map<String, Object>>) series.get("modes")) {
      for (Map<String, Object> second : (List<Map<String, Object>>) mode.get("seconds")) {
        List<Number> calls = (List<Number>) second.get("callsPerPod");
        for (int p = 0; p < calls.size(); p++) {
          served[p] |= calls.get(p).longValue() > 0;
        }
      }
    }
    assertThat(served[2] || served[3]).as("respread moved calls to a new pod: " + printed)
        .isTrue();
    // Each legend swatch is 12 x 12 pixels, one per mode: a line drawn in a chart is more.
    int legends = 144 * MODES.size();
    for (int p = 0; p < served.length; p++) {
      if (served[p]) {
        assertThat(pixels(page, HtmlReport.podColour(p))).as("pixels of pod " + (p + 1))
            .isGreaterThan(legends + 200);
      }
    }
    assertThat(pixels(page, HtmlReport.LATENCY_COLOUR)).as("pixels of the latency bars")
        .isGreaterThan(2000);
    for (int m = 0; m < MODES.size(); m++) {
      assertThat(pixels(page, HtmlReport.modeColour(m))).as("pixels of " + MODES.get(m)
          + " in the evenness chart").isGreaterThan(144 + 200);
    }
  }

  /** The pixels within a few levels of {@code colour} on each channel (anti-aliasing aside). */
  private static int pixels(BufferedImage image, String colour) {
    int rgb = Integer.parseInt(colour.substring(1), 16);
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int p = image.getRGB(x, y);
        if (close(p >> 16, rgb >> 16) && close(p >> 8, rgb >> 8) && close(p, rgb)) {
          n++;
        }
      }
    }
    return n;
  }

  private static boolean close(int a, int b) {
    return Math.abs((a & 0xff) - (b & 0xff)) <= 6;
  }

  private static String svg(String dom, String kind, String mode) {
    String open = "<svg class=\"chart " + kind + "\""
        + (mode == null ? "" : " data-mode=\"" + mode + "\"");
    int from = dom.indexOf(open);
    assertThat(from).as("a " + kind + " chart for " + mode).isNotNegative();
    return dom.substring(from, dom.indexOf("</svg>", from));
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }
}
