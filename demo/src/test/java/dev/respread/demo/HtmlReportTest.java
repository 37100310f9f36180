package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * How the report draws results. The results here are made up, to put known values in known
 * places; {@link HtmlReportInChromiumTest} renders a real run.
 */
class HtmlReportTest {
  /** 2 pods, 4 after 4 s, 6 s more. */
  private static final ScaleOutScenario SCENARIO = new ScaleOutScenario(2, 4, 8, 5, 20,
      Duration.ofSeconds(4), Duration.ofSeconds(6), Duration.ofSeconds(20),
      Duration.ofSeconds(5), 1, false, ScaleOutScenario.View.IN_PROCESS, Duration.ofSeconds(1),
      Map.of());
  private static final Instant WHEN = Instant.parse("2026-12-01T21:00:00Z");

  @Test
  void theSummaryTableHasEveryColumnOfTheTerminalTableAndARowPerMode() {
    String html = render(result(Mode.OFF, 0, Map.of()), result(Mode.RESPREAD, 0, Map.of()));

    String table = html.substring(html.indexOf("<table class=\"summary\">"),
        html.indexOf("</table>"));
    for (Report.Column c : Report.columns()) {
      assertThat(table).contains((c.numeric ? "<th class=\"num\">" : "<th>")
          + Svg.escape(c.heading) + "</th>");
    }
    assertThat(count(table, "<tr>")).isEqualTo(3);
    assertThat(table).contains("<td>off</td>", "<td>respread</td>");
  }

  @Test
  void textFromTheResultsIsEscaped() {
    String html = render(result(Mode.RESPREAD, 2, Map.of("<UNAVAILABLE & \"x\">", 2L)));

    assertThat(html).contains("&lt;UNAVAILABLE &amp; &quot;x&quot;&gt;")
        .doesNotContain("<UNAVAILABLE");
  }

  @Test
  void everyChartIsWellFormedSvg() throws Exception {
    List<Document> charts = charts(render(result(Mode.OFF, 0, Map.of()),
        result(Mode.RESPREAD, 0, Map.of())));

    // How even, then per mode the pods and the latencies.
    assertThat(charts).hasSize(5);
    assertThat(charts).allSatisfy(svg ->
        assertThat(svg.getDocumentElement().getAttribute("viewBox")).isEqualTo("0 0 760 280"));
  }

  @Test
  void eachPodIsALineFromTheSecondItJoinsTheService() throws Exception {
    Document pods = chart(render(result(Mode.RESPREAD, 0, Map.of())), "pods", "respread");

    List<Element> lines = elements(pods, "polyline");
    assertThat(lines).hasSize(4);
    Svg.Scale x = Svg.linear(0, 10, 64, 740);
    // Old pods from t = 1, new pods from the first second after the scale-out (t = 5).
    assertThat(firstPoint(lines.get(0))[0]).isCloseTo(x.at(1), within(0.05));
    assertThat(firstPoint(lines.get(2))[0]).isCloseTo(x.at(5), within(0.05));
    assertThat(lines.get(2).getAttribute("points").split(" ")).hasSize(6);
  }

  @Test
  void aPodKeepsItsColourInEveryModeAndInTheLegend() throws Exception {
    String html = render(result(Mode.OFF, 0, Map.of()), result(Mode.RESPREAD, 0, Map.of()));

    for (String mode : List.of("off", "respread")) {
      List<Element> lines = elements(chart(html, "pods", mode), "polyline");
      for (int p = 0; p < lines.size(); p++) {
        assertThat(lines.get(p).getAttribute("stroke")).isEqualTo(HtmlReport.POD_COLOURS.get(p));
      }
    }
    assertThat(html).contains("background:" + HtmlReport.POD_COLOURS.get(2)
        + "\"></i>pod 3 (new)</span>");
  }

  @Test
  void podsPastTheTenthTakeTheColoursAgainDashed() {
    assertThat(HtmlReport.podColour(10)).isEqualTo(HtmlReport.podColour(0));
    assertThat(HtmlReport.dashed(9)).isFalse();
    assertThat(HtmlReport.dashed(10)).isTrue();
    assertThat(HtmlReport.dashed(20)).isFalse();
  }

  @Test
  void thePodChartsShareOneScaleSoThatModesCompareByEye() throws Exception {
    // off serves up to 112 calls/s a pod, respread 60: both charts go to 150.
    String html = render(result(Mode.OFF, 0, Map.of()), result(Mode.RESPREAD, 0, Map.of()));

    for (String mode : List.of("off", "respread")) {
      assertThat(texts(chart(html, "pods", mode))).contains("150").doesNotContain("200");
    }
  }

  @Test
  void theScaleOutIsMarkedWhereTheWarmUpEnds() throws Exception {
    Document pods = chart(render(result(Mode.RESPREAD, 0, Map.of())), "pods", "respread");

    Element line = byClass(pods, "line", "scale-out");
    assertThat(Double.parseDouble(line.getAttribute("x1")))
        .isCloseTo(Svg.linear(0, 10, 64, 740).at(4), within(0.05));
    assertThat(texts(pods)).contains("scale-out: 2 → 4 pods");
  }

  @Test
  void theSecondsTheOutcomeIsJudgedOverAreShaded() throws Exception {
    Document pods = chart(render(result(Mode.RESPREAD, 0, Map.of())), "pods", "respread");

    Element judged = byClass(pods, "rect", "judged");
    Svg.Scale x = Svg.linear(0, 10, 64, 740);
    // A third of the 6 s run: t = 8 to 10.
    assertThat(Double.parseDouble(judged.getAttribute("x"))).isCloseTo(x.at(8), within(0.05));
    assertThat(Double.parseDouble(judged.getAttribute("width")))
        .isCloseTo(x.at(10) - x.at(8), within(0.1));
  }

  @Test
  void theLatencyChartHasABarPerBucketWithCallsOnALogAxis() throws Exception {
    ScaleOutScenario.Result r = result(Mode.RESPREAD, 0, Map.of());
    Document latency = chart(render(r), "latency", "respread");

    long buckets = java.util.Arrays.stream(r.latency.counts()).filter(n -> n > 0).count();
    assertThat(elements(latency, "rect").stream()
        .filter(e -> e.getAttribute("class").equals("bucket"))).hasSize((int) buckets);
    // Calls from 0.6 to 40 ms: the axis runs from 0.5 to 50 ms.
    assertThat(texts(latency)).contains("0.5", "1", "10", "50", "latency, ms (log scale)")
        .doesNotContain("100");
  }

  @Test
  void theLatencyChartMarksP50P99AndP999() throws Exception {
    ScaleOutScenario.Result r = result(Mode.RESPREAD, 0, Map.of());
    Document latency = chart(render(r), "latency", "respread");

    assertThat(texts(latency)).contains(
        "p50 " + HtmlReport.millis(r.latency.percentileMillis(0.5)),
        "p99 " + HtmlReport.millis(r.latency.percentileMillis(0.99)),
        "p99.9 " + HtmlReport.millis(r.latency.percentileMillis(0.999)));
  }

  @Test
  void aBarsAreaNotItsWidthIsItsShareOfTheCalls() {
    // Twice as wide on the log axis, the same calls: half as high.
    assertThat(HtmlReport.density(10, 100, 1, 4))
        .isCloseTo(HtmlReport.density(10, 100, 1, 2) / 2, within(1e-12));
    // A bucket 1/16 of a doubling wide holding every call: 100 % per 1/16 doubling.
    assertThat(HtmlReport.density(5, 5, 1, Math.pow(2, 1 / 16.0))).isCloseTo(100, within(1e-9));
  }

  @Test
  void theHeadlineNamesTheMostEvenModeAndWhatEachModeDid() {
    String html = render(result(Mode.OFF, 0, Map.of()), result(Mode.RESPREAD, 0, Map.of()));

    assertThat(html).contains("<strong>Most even over the last 2 s: respread</strong>",
        "<li><strong>off</strong>: never balanced after the scale-out",
        "<li><strong>respread</strong>: balanced 2 s after the scale-out");
  }

  @Test
  void theScenarioIsDescribed() {
    assertThat(render(result(Mode.OFF, 0, Map.of()))).contains("8 pinned grpc-java clients",
        "call a Service of 2 pods; after 4 s it scales out to 4 pods",
        "an in-process proxy that picks a pod at random per connection", "Fixed age: 20 s");
  }

  @Test
  void thePageLoadsNothingAndRunsNothing() {
    String html = render(result(Mode.OFF, 0, Map.of()));

    assertThat(html).doesNotContainIgnoringCase("<script").doesNotContain("src=", "@import");
    // The SVG namespace is a name, not a download.
    assertThat(html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http");
  }

  @Test
  void theSeriesGoBesideTheReportNamedAfterIt() {
    assertThat(ReportSeries.beside(Path.of("/tmp/x/report.html")))
        .isEqualTo(Path.of("/tmp/x/report.json"));
    assertThat(ReportSeries.beside(Path.of("run1.HTM"))).isEqualTo(Path.of("run1.json"));
    assertThat(ReportSeries.beside(Path.of("out"))).isEqualTo(Path.of("out.json"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void theSeriesHoldEverySecondOfEveryPodAndEveryBucketWithCalls() {
    ScaleOutScenario.Result r = result(Mode.RESPREAD, 0, Map.of());

    Map<String, Object> json = new org.yaml.snakeyaml.Yaml().load(ReportSeries.json(List.of(r)));

    assertThat((Map<String, Object>) json.get("scenario")).containsEntry("pods", 2)
        .containsEntry("scaleTo", 4).containsEntry("proxy", "in-process");
    Map<String, Object> mode = ((List<Map<String, Object>>) json.get("modes")).get(0);
    assertThat(mode).containsEntry("mode", "respread");
    List<Map<String, Object>> seconds = (List<Map<String, Object>>) mode.get("seconds");
    assertThat(seconds).hasSize(10);
    assertThat(seconds.get(6)).containsEntry("t", 7)
        .containsEntry("callsPerPod", List.of(60, 55, 40, 45));
    // The pods' own ratio is unknown before their view has read it: null, not NaN.
    assertThat((List<Object>) seconds.get(0).get("ownOverMean")).containsOnlyNulls();
    Map<String, Object> latency = (Map<String, Object>) mode.get("latency");
    List<Map<String, Object>> buckets = (List<Map<String, Object>>) latency.get("buckets");
    assertThat(buckets.stream().mapToLong(b -> ((Number) b.get("calls")).longValue()).sum())
        .isEqualTo(r.latency.count());
    assertThat((Map<String, Object>) mode.get("summary")).containsKey(
        Report.columns().get(0).heading);
  }

  @Test
  void jsonStringsAreEscaped() {
    assertThat(ReportSeries.string("a\"b\\c\nd")).isEqualTo("\"a\\\"b\\\\c\\u000ad\"");
    assertThat(ReportSeries.decimal(Double.NaN)).isEqualTo("null");
    assertThat(ReportSeries.decimal(1.25)).isEqualTo("1.25");
  }

  // Made-up results: 2 pods, then 4; off leaves the new pods empty, respread fills them.

  private static ScaleOutScenario.Result result(Mode mode, long failed,
      Map<String, Long> failures) {
    List<ScaleOutScenario.Second> timeline = new ArrayList<>();
    for (int t = 1; t <= 10; t++) {
      long[] calls = t <= 4 ? new long[] {100, 100}
          : mode == Mode.OFF ? new long[] {112, 88, 0, 0}
          : t == 5 ? new long[] {100, 100, 0, 0}
          : new long[] {60, 55, 40, 45};
      double[] ratios = new double[calls.length];
      java.util.Arrays.fill(ratios, Double.NaN);
      timeline.add(new ScaleOutScenario.Second(t, calls, ratios, 0));
    }
    LatencyHistogram latency = new LatencyHistogram();
    for (int i = 0; i < 1000; i++) {
      // 0.6 to 1.6 ms, and a few slow calls up to 40 ms.
      latency.record(600_000L + 1_000L * i + (i % 100 == 0 ? 38_000_000L : 0));
    }
    return TestResults.of(mode, SCENARIO, timeline, failed, failures, latency);
  }

  private static String render(ScaleOutScenario.Result... results) {
    return HtmlReport.render(List.of(results), WHEN, "report.json");
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }

  private static List<Document> charts(String html) throws Exception {
    List<Document> charts = new ArrayList<>();
    Matcher m = Pattern.compile("<svg .*?</svg>", Pattern.DOTALL).matcher(html);
    while (m.find()) {
      charts.add(DocumentBuilderFactory.newInstance().newDocumentBuilder()
          .parse(new InputSource(new StringReader(m.group()))));
    }
    return charts;
  }

  private static Document chart(String html, String kind, String mode) throws Exception {
    for (Document svg : charts(html)) {
      Element root = svg.getDocumentElement();
      if (root.getAttribute("class").equals("chart " + kind)
          && root.getAttribute("data-mode").equals(mode)) {
        return svg;
      }
    }
    throw new AssertionError("no " + kind + " chart for " + mode);
  }

  private static List<Element> elements(Document svg, String tag) {
    NodeList nodes = svg.getElementsByTagName(tag);
    List<Element> list = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      list.add((Element) nodes.item(i));
    }
    return list;
  }

  private static Element byClass(Document svg, String tag, String cls) {
    return elements(svg, tag).stream().filter(e -> e.getAttribute("class").equals(cls))
        .findFirst().orElseThrow(() -> new AssertionError("no " + tag + "." + cls));
  }

  private static List<String> texts(Document svg) {
    List<String> texts = new ArrayList<>();
    for (Element e : elements(svg, "text")) {
      texts.add(e.getTextContent());
    }
    return texts;
  }

  private static double[] firstPoint(Element polyline) {
    String[] xy = polyline.getAttribute("points").split(" ")[0].split(",");
    return new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])};
  }
}
