package dev.respread.demo;

import static dev.respread.demo.Svg.escape;
import static dev.respread.demo.Svg.number;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The demo's results as one self-contained HTML page: a headline, the scenario, the comparison
 * table ({@link Report#columns()}), how even each mode kept the pods, and per mode each pod's
 * calls per second with the scale-out marked and the distribution of call latencies. The charts
 * are inline SVG, so the page needs no network and no script; the raw series go in a JSON file
 * beside it ({@link ReportSeries}).
 */
final class HtmlReport {
  /** A pod's colour, the same in every chart and in the terminal: pod i takes colour i mod 10. */
  static final List<String> POD_COLOURS = List.of("#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
      "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#79706e");
  /** Each mode's colour where the modes share a chart: darker than any pod's, and not grey. */
  static final List<String> MODE_COLOURS = List.of("#0b5394", "#b45f06", "#38761d", "#741b47",
      "#990000", "#127475", "#7f6000", "#5b2c8f");
  /** The latency bars. */
  static final String LATENCY_COLOUR = "#5b6b8c";

  static final int WIDTH = 760;
  static final int HEIGHT = 280;
  private static final int LEFT = 64;
  private static final int RIGHT = 20;
  private static final int TOP = 28;
  private static final int BOTTOM = 46;
  private static final double[] PERCENTILES = {0.5, 0.99, 0.999};

  private HtmlReport() {}

  static String podColour(int pod) {
    return POD_COLOURS.get(pod % POD_COLOURS.size());
  }

  /** Pods past the palette's end take its colours again, with dashed lines. */
  static boolean dashed(int pod) {
    return (pod / POD_COLOURS.size()) % 2 == 1;
  }

  static String modeColour(int index) {
    return MODE_COLOURS.get(index % MODE_COLOURS.size());
  }

  /**
   * Writes the page to {@code html} and the raw series to {@link ReportSeries#beside}
   * {@code html}; returns the series file.
   */
  static Path write(Path html, List<ScaleOutScenario.Result> results, Instant when)
      throws IOException {
    Path series = ReportSeries.beside(html);
    Files.writeString(html, render(results, when, series.getFileName().toString()),
        StandardCharsets.UTF_8);
    Files.writeString(series, ReportSeries.json(results), StandardCharsets.UTF_8);
    return series;
  }

  /** The page; {@code seriesName} is the raw series file it links to. */
  static String render(List<ScaleOutScenario.Result> results, Instant when, String seriesName) {
    if (results.isEmpty()) {
      throw new IllegalArgumentException("results: none (expected: at least one mode)");
    }
    ScaleOutScenario scenario = results.get(0).scenario;
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>respread demo: ").append(escape(modeList(results)))
        .append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n");
    b.append("<h1>Pinned gRPC clients meet a scale-out: ").append(results.size())
        .append(results.size() == 1 ? " mode" : " modes").append(" on the same clients</h1>\n");
    headline(b, results);
    b.append("<h2>The scenario</h2>\n<p class=\"scenario\">").append(escape(describe(scenario)))
        .append("</p>\n");
    summary(b, results);
    evenness(b, results);
    for (int i = 0; i < results.size(); i++) {
      mode(b, results.get(i), i, results);
    }
    b.append("<footer><p>Written ").append(escape(when.truncatedTo(ChronoUnit.SECONDS).toString()))
        .append(" by <code>respread-demo --report</code>. The raw series (each pod's calls per ")
        .append("second, the latency buckets) are in <a href=\"").append(escape(seriesName))
        .append("\">").append(escape(seriesName)).append("</a>.</p></footer>\n");
    return b.append("</body>\n</html>\n").toString();
  }

  private static final String STYLE = String.join("\n",
      "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;"
          + "max-width:980px;margin:24px auto;padding:0 16px}",
      "h1{font-size:1.5em;margin-bottom:.3em}h2{margin-top:1.6em;font-size:1.2em}",
      "h3{font-size:1.05em;margin:1.2em 0 .2em}",
      "table{border-collapse:collapse;font-size:13px;margin:.5em 0}",
      "th,td{border:1px solid #ccc;padding:3px 7px;vertical-align:top}",
      "th{background:#f4f4f4;text-align:left}td.num,th.num{text-align:right}",
      "ul.headline li{margin:.2em 0}.scroll{overflow-x:auto}",
      ".legend{font-size:13px;margin:2px 0 10px " + LEFT + "px}",
      ".legend span{display:inline-block;margin-right:14px;white-space:nowrap}",
      ".swatch{display:inline-block;width:12px;height:12px;margin-right:4px;"
          + "vertical-align:-1px;border-radius:2px}",
      "svg.chart{display:block;max-width:100%;height:auto}",
      "svg text{font:12px system-ui,sans-serif;fill:#333}",
      "section.mode{border-top:2px solid #ddd;margin-top:1.8em}",
      "p.note{font-size:13px;color:#555}footer{margin-top:2em;font-size:13px;color:#555}",
      "");

  private static String modeList(List<ScaleOutScenario.Result> results) {
    List<String> labels = new ArrayList<>();
    for (ScaleOutScenario.Result r : results) {
      labels.add(r.mode.label());
    }
    return String.join(", ", labels);
  }

  /** What ran, in a sentence or two. */
  static String describe(ScaleOutScenario s) {
    return String.format(Locale.ROOT, "%d pinned grpc-java clients (pick_first, %d to %d calls/s "
            + "each, seed %d) call a Service of %d pods; after %d s it scales out to %d pods and "
            + "the run goes on for %d s. The Service is %s. Load view: %s. Fixed age: %s; "
            + "grace: %s. Every mode runs on the same clients and the same scale-out.",
        s.clients, s.minRate, s.maxRate, s.seed, s.pods, s.warmup.getSeconds(), s.scaleTo,
        s.run.getSeconds(),
        s.iptables ? "kube-proxy-style iptables DNAT (-m statistic --mode random)"
            : "an in-process proxy that picks a pod at random per connection, as kube-proxy does",
        s.view == ScaleOutScenario.View.PROMETHEUS
            ? "pods as JVMs of their own reading a real Prometheus that scrapes them every "
                + seconds(s.scrapeInterval.toMillis() / 1000.0)
            : "in-process, each pod told its exact rate of the last second",
        seconds(s.fixedAge.toMillis() / 1000.0), seconds(s.grace.toMillis() / 1000.0));
  }

  private static String seconds(double s) {
    return Svg.label(s) + " s";
  }

  /** One sentence a mode, and which was most even and which balanced first. */
  private static void headline(StringBuilder b, List<ScaleOutScenario.Result> results) {
    ScaleOutScenario.Result even = results.stream()
        .min(Comparator.comparingDouble(ScaleOutScenario.Result::maxOverMeanAtEnd)).get();
    ScaleOutScenario.Result first = results.stream().filter(r -> r.secondsToBalance() >= 0)
        .min(Comparator.comparingInt(ScaleOutScenario.Result::secondsToBalance)).orElse(null);
    int tail = results.get(0).tailSeconds();
    b.append("<p class=\"lead\"><strong>Most even over the last ").append(tail)
        .append(" s: ").append(escape(even.mode.label())).append("</strong> (busiest pod ")
        .append(String.format(Locale.ROOT, "%.2f", even.maxOverMeanAtEnd()))
        .append(" × the mean). ");
    if (first == null) {
      b.append("No mode stayed balanced (busiest pod ≤ ").append(ScaleOutScenario.BALANCED)
          .append(" × the mean) to the end after the scale-out.");
    } else {
      b.append("<strong>Balanced soonest: ").append(escape(first.mode.label()))
          .append("</strong>, ").append(first.secondsToBalance())
          .append(" s after the scale-out (busiest pod ≤ ").append(ScaleOutScenario.BALANCED)
          .append(" × the mean from then to the end).");
    }
    b.append("</p>\n<ul class=\"headline\">\n");
    for (ScaleOutScenario.Result r : results) {
      int balance = r.secondsToBalance();
      double fair = (r.scenario.scaleTo - r.scenario.pods) / (double) r.scenario.scaleTo;
      b.append("<li><strong>").append(escape(r.mode.label())).append("</strong>: ")
          .append(balance < 0 ? "never balanced after the scale-out"
              : "balanced " + balance + " s after the scale-out")
          .append(String.format(Locale.ROOT, "; busiest pod %.2f × the mean and new pods %.0f %% "
                  + "of the calls (fair: %.0f %%) over the last %d s",
              r.maxOverMeanAtEnd(), 100 * r.newPodsShare(), 100 * fair, tail))
          .append("; ").append(r.reconnects).append(" client reconnects; ")
          .append(r.failed == 0 ? "no failed call" : "<strong>" + r.failed + " failed calls"
              + "</strong>");
      if (r.latency.count() > 0) {
        b.append(String.format(Locale.ROOT, "; latency p50 %s, p99 %s",
            millis(r.latency.percentileMillis(0.5)), millis(r.latency.percentileMillis(0.99))));
      }
      b.append(".</li>\n");
    }
    b.append("</ul>\n");
  }

  /** The comparison table: exactly the terminal table's columns. */
  private static void summary(StringBuilder b, List<ScaleOutScenario.Result> results) {
    List<Report.Column> columns = Report.columns();
    // A wide table scrolls inside its box rather than widening the page.
    b.append("<h2>Side by side</h2>\n<div class=\"scroll\"><table class=\"summary\">\n")
        .append("<thead><tr>");
    for (Report.Column c : columns) {
      b.append(c.numeric ? "<th class=\"num\">" : "<th>").append(escape(c.heading))
          .append("</th>");
    }
    b.append("</tr></thead>\n<tbody>\n");
    for (ScaleOutScenario.Result r : results) {
      b.append("<tr>");
      for (Report.Column c : columns) {
        b.append(c.numeric ? "<td class=\"num\">" : "<td>").append(escape(c.cell.apply(r)))
            .append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</tbody>\n</table></div>\n");
  }

  /** The busiest pod over the mean, every second, every mode in one chart. */
  private static void evenness(StringBuilder b, List<ScaleOutScenario.Result> results) {
    ScaleOutScenario scenario = results.get(0).scenario;
    int seconds = seconds(results);
    double max = ScaleOutScenario.BALANCED;
    for (ScaleOutScenario.Result r : results) {
      for (ScaleOutScenario.Second s : r.timeline) {
        max = Math.max(max, s.maxOverMean());
      }
    }
    // From 1, perfectly even, up.
    double top = 1 + Svg.niceMax(max - 1, 5);
    Svg.Scale x = Svg.linear(0, seconds, LEFT, WIDTH - RIGHT);
    Svg.Scale y = Svg.linear(1, top, HEIGHT - BOTTOM, TOP);
    b.append("<h2>How even each mode kept the pods</h2>\n");
    openChart(b, "evenness", null, "The busiest pod's calls over the mean of the pods, every "
        + "second, for every mode");
    tail(b, results.get(0), x);
    for (double t : Svg.ticks(top - 1, 5)) {
      yTick(b, y.at(1 + t), Svg.label(1 + t));
    }
    xAxis(b, x, seconds, "seconds since the start");
    yLabel(b, "busiest pod ÷ mean");
    double balanced = y.at(ScaleOutScenario.BALANCED);
    b.append("<line class=\"threshold\" x1=\"").append(LEFT).append("\" x2=\"")
        .append(WIDTH - RIGHT).append("\" y1=\"").append(number(balanced)).append("\" y2=\"")
        .append(number(balanced)).append("\" stroke=\"#888\" stroke-dasharray=\"2 3\"/>\n")
        .append("<text x=\"").append(WIDTH - RIGHT - 4).append("\" y=\"")
        .append(number(balanced - 4)).append("\" text-anchor=\"end\">balanced: ≤ ")
        .append(ScaleOutScenario.BALANCED).append("</text>\n");
    scaleOut(b, x, scenario);
    for (int i = 0; i < results.size(); i++) {
      ScaleOutScenario.Result r = results.get(i);
      StringBuilder points = new StringBuilder();
      for (ScaleOutScenario.Second s : r.timeline) {
        points.append(points.length() == 0 ? "" : " ").append(number(x.at(s.t))).append(',')
            .append(number(y.at(Math.min(top, s.maxOverMean()))));
      }
      b.append("<polyline class=\"mode\" data-mode=\"").append(escape(r.mode.label()))
          .append("\" fill=\"none\" stroke=\"").append(modeColour(i))
          .append("\" stroke-width=\"2\" points=\"").append(points).append("\"/>\n");
    }
    b.append("</svg>\n<div class=\"legend\">");
    for (int i = 0; i < results.size(); i++) {
      swatch(b, modeColour(i), results.get(i).mode.label());
    }
    b.append("</div>\n<p class=\"note\">1 is perfectly even: every pod serves the mean. Right ")
        .append("after the scale-out the new pods serve nothing, so every mode jumps; what ")
        .append("matters is how soon and how far each comes back down, and how it ends in the ")
        .append("shaded seconds, over which the table judges it.</p>\n");
  }

  private static void mode(StringBuilder b, ScaleOutScenario.Result r, int index,
      List<ScaleOutScenario.Result> results) {
    ScaleOutScenario scenario = r.scenario;
    String label = r.mode.label();
    b.append("<section class=\"mode\" id=\"mode-").append(escape(label)).append("\">\n<h2>")
        .append(escape(label)).append("</h2>\n");
    b.append("<h3>Calls per second, each pod</h3>\n");
    podChart(b, r, results);
    b.append("<div class=\"legend\">");
    for (int p = 0; p < scenario.scaleTo; p++) {
      swatch(b, podColour(p), "pod " + (p + 1) + (p >= scenario.pods ? " (new)" : "")
          + (dashed(p) ? ", dashed" : ""));
    }
    b.append("</div>\n<p class=\"note\">Lines that stay apart after the scale-out are ")
        .append("clients still pinned where they first connected; lines that meet are calls ")
        .append("spread evenly. Every mode's chart has the same scale.</p>\n")
        .append("<h3>Latency of every call</h3>\n");
    latencyChart(b, r, results);
  }

  /** Each pod's calls per second; the same y scale in every mode, so they compare by eye. */
  private static void podChart(StringBuilder b, ScaleOutScenario.Result r,
      List<ScaleOutScenario.Result> results) {
    int seconds = seconds(results);
    long max = 1;
    for (ScaleOutScenario.Result each : results) {
      for (ScaleOutScenario.Second s : each.timeline) {
        for (long n : s.perPod) {
          max = Math.max(max, n);
        }
      }
    }
    double top = Svg.niceMax(max, 5);
    Svg.Scale x = Svg.linear(0, seconds, LEFT, WIDTH - RIGHT);
    Svg.Scale y = Svg.linear(0, top, HEIGHT - BOTTOM, TOP);
    openChart(b, "pods", r.mode.label(), "Calls per second each pod served in mode "
        + r.mode.label() + ", with the scale-out marked");
    tail(b, r, x);
    for (double t : Svg.ticks(top, 5)) {
      yTick(b, y.at(t), Svg.label(t));
    }
    xAxis(b, x, seconds, "seconds since the start");
    yLabel(b, "calls per second");
    scaleOut(b, x, r.scenario);
    int pods = 0;
    for (ScaleOutScenario.Second s : r.timeline) {
      pods = Math.max(pods, s.perPod.length);
    }
    for (int p = 0; p < pods; p++) {
      StringBuilder points = new StringBuilder();
      for (ScaleOutScenario.Second s : r.timeline) {
        if (p < s.perPod.length) {
          points.append(points.length() == 0 ? "" : " ").append(number(x.at(s.t))).append(',')
              .append(number(y.at(s.perPod[p])));
        }
      }
      b.append("<polyline class=\"pod\" data-pod=\"").append(p + 1)
          .append("\" fill=\"none\" stroke=\"").append(podColour(p))
          .append(dashed(p) ? "\" stroke-dasharray=\"7 4" : "")
          .append("\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"").append(points)
          .append("\"/>\n");
    }
    b.append("</svg>\n");
  }

  /**
   * The share of calls in each of the histogram's buckets, over a log latency axis shared by
   * every mode. Buckets are about 1/16 of a doubling wide but not all equal on a log axis, so a
   * bar's height is its calls per 1/16 of a doubling: its area, not its height, is its share.
   */
  private static void latencyChart(StringBuilder b, ScaleOutScenario.Result r,
      List<ScaleOutScenario.Result> results) {
    long[] counts = r.latency.counts();
    long total = 0;
    for (long n : counts) {
      total += n;
    }
    if (total == 0) {
      b.append("<p class=\"note\">No call completed: no latencies to show.</p>\n");
      return;
    }
    double[] range = latencyRange(results);
    double top = 0;
    for (ScaleOutScenario.Result each : results) {
      top = Math.max(top, maxDensity(each.latency.counts()));
    }
    top = Svg.niceMax(top, 4);
    Svg.Scale x = Svg.log(range[0], range[1], LEFT, WIDTH - RIGHT);
    Svg.Scale y = Svg.linear(0, top, HEIGHT - BOTTOM, TOP);
    openChart(b, "latency", r.mode.label(), "How long the calls took in mode " + r.mode.label()
        + ", on a log scale, with p50, p99 and p99.9 marked");
    for (double t : Svg.ticks(top, 4)) {
      yTick(b, y.at(t), Svg.label(t));
    }
    for (double t : Svg.logTicks(range[0], range[1])) {
      xTick(b, x.at(t), Svg.label(t));
    }
    axisLabel(b, "latency, ms (log scale)");
    yLabel(b, "% of calls per 1/16 doubling");
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 0) {
        continue;
      }
      double lo = bucketFromMillis(i);
      double hi = bucketToMillis(i);
      double x0 = x.at(lo);
      double x1 = x.at(hi);
      double y0 = y.at(density(counts[i], total, lo, hi));
      b.append("<rect class=\"bucket\" x=\"").append(number(x0)).append("\" y=\"")
          .append(number(y0)).append("\" width=\"").append(number(Math.max(1, x1 - x0)))
          .append("\" height=\"").append(number(Math.max(0.5, HEIGHT - BOTTOM - y0)))
          .append("\" fill=\"").append(LATENCY_COLOUR).append("\"><title>")
          .append(escape(String.format(Locale.ROOT, "%s to %s ms: %d calls", Svg.label(lo),
              Svg.label(hi), counts[i])))
          .append("</title></rect>\n");
    }
    for (int i = 0; i < PERCENTILES.length; i++) {
      double q = PERCENTILES[i];
      double v = r.latency.percentileMillis(q);
      double px = x.at(Math.max(range[0], Math.min(range[1], v)));
      // Near the right edge the label goes to the left of its line.
      boolean right = px > WIDTH - RIGHT - 110;
      b.append("<line class=\"percentile\" x1=\"").append(number(px)).append("\" x2=\"")
          .append(number(px)).append("\" y1=\"").append(TOP - 4 + 12 * i).append("\" y2=\"")
          .append(HEIGHT - BOTTOM).append("\" stroke=\"#222\" stroke-dasharray=\"3 2\"/>\n")
          .append("<text x=\"").append(number(right ? px - 4 : px + 4)).append("\" y=\"")
          .append(TOP + 12 * i + 4).append(right ? "\" text-anchor=\"end\">" : "\">")
          .append(escape(percentileName(q) + " " + millis(v))).append("</text>\n");
    }
    b.append("</svg>\n<p class=\"note\">").append(String.format(Locale.ROOT,
            "%d calls: p50 %s, p99 %s, p99.9 %s (each the middle of its bucket, within about "
                + "6 %%).", total, millis(r.latency.percentileMillis(0.5)),
            millis(r.latency.percentileMillis(0.99)), millis(r.latency.percentileMillis(0.999))))
        .append("</p>\n");
  }

  static String percentileName(double q) {
    return "p" + Svg.label(q * 100);
  }

  static String millis(double ms) {
    return ms >= 100 ? String.format(Locale.ROOT, "%.0f ms", ms)
        : ms >= 10 ? String.format(Locale.ROOT, "%.1f ms", ms)
        : String.format(Locale.ROOT, "%.2f ms", ms);
  }

  /** A bucket's lower bound in ms; the first bucket, from 0, starts at half a microsecond. */
  static double bucketFromMillis(int i) {
    return Math.max(0.5, LatencyHistogram.lowerBoundMicros(i)) / 1000.0;
  }

  /** A bucket's upper bound in ms; the last, open-ended bucket is drawn a doubling wide. */
  static double bucketToMillis(int i) {
    return i == LatencyHistogram.BUCKETS - 1 ? 2 * LatencyHistogram.lowerBoundMicros(i) / 1000.0
        : LatencyHistogram.upperBoundMicros(i) / 1000.0;
  }

  /** A bucket's share of the calls, in percent, per 1/16 of a doubling of latency. */
  static double density(long calls, long total, double from, double to) {
    double sixteenths = 16 * Math.log(to / from) / Math.log(2);
    return 100.0 * calls / total / sixteenths;
  }

  private static double maxDensity(long[] counts) {
    long total = 0;
    for (long n : counts) {
      total += n;
    }
    double max = 0;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0) {
        max = Math.max(max, density(counts[i], total, bucketFromMillis(i), bucketToMillis(i)));
      }
    }
    return max;
  }

  /**
   * The latency axis of every mode: from the fastest bucket to the slowest that holds a call,
   * widened to 1, 2 or 5 times a power of ten at each end so that both ends are labelled.
   */
  static double[] latencyRange(List<ScaleOutScenario.Result> results) {
    double lo = Double.MAX_VALUE;
    double hi = 0;
    for (ScaleOutScenario.Result r : results) {
      long[] counts = r.latency.counts();
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] > 0) {
          lo = Math.min(lo, bucketFromMillis(i));
          hi = Math.max(hi, bucketToMillis(i));
        }
      }
    }
    if (hi == 0) {
      return new double[] {0.1, 1};
    }
    return new double[] {roundDown(lo), roundUp(hi)};
  }

  /** The largest 1, 2 or 5 times a power of ten at or below {@code v}. */
  static double roundDown(double v) {
    double power = Math.pow(10, Math.floor(Math.log10(v)));
    double m = v / power;
    return (m >= 5 ? 5 : m >= 2 ? 2 : 1) * power;
  }

  /** The smallest 1, 2 or 5 times a power of ten at or above {@code v}. */
  static double roundUp(double v) {
    double power = Math.pow(10, Math.floor(Math.log10(v)));
    double m = v / power;
    return (m <= 1 + 1e-9 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
  }

  private static int seconds(List<ScaleOutScenario.Result> results) {
    int seconds = 1;
    for (ScaleOutScenario.Result r : results) {
      for (ScaleOutScenario.Second s : r.timeline) {
        seconds = Math.max(seconds, s.t);
      }
    }
    return seconds;
  }

  private static void openChart(StringBuilder b, String kind, String mode, String title) {
    b.append("<svg class=\"chart ").append(kind).append('"');
    if (mode != null) {
      b.append(" data-mode=\"").append(escape(mode)).append('"');
    }
    b.append(" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
        .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH)
        .append(' ').append(HEIGHT).append("\" role=\"img\" aria-label=\"").append(escape(title))
        .append("\">\n<title>").append(escape(title)).append("</title>\n")
        .append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
        .append(WIDTH - LEFT - RIGHT).append("\" height=\"").append(HEIGHT - TOP - BOTTOM)
        .append("\" fill=\"#fff\" stroke=\"#bbb\"/>\n");
  }

  /** The seconds over which the outcome is judged, shaded. */
  private static void tail(StringBuilder b, ScaleOutScenario.Result r, Svg.Scale x) {
    int last = r.timeline.isEmpty() ? 0 : r.timeline.get(r.timeline.size() - 1).t;
    double x0 = x.at(last - r.tailSeconds());
    b.append("<rect class=\"judged\" x=\"").append(number(x0)).append("\" y=\"").append(TOP)
        .append("\" width=\"").append(number(x.at(last) - x0)).append("\" height=\"")
        .append(HEIGHT - TOP - BOTTOM).append("\" fill=\"#f1f1f1\"/>\n<text x=\"")
        .append(number(x.at(last) - 4)).append("\" y=\"").append(HEIGHT - BOTTOM - 6)
        .append("\" text-anchor=\"end\" fill=\"#777\">last ").append(r.tailSeconds())
        .append(" s: judged</text>\n");
  }

  private static void scaleOut(StringBuilder b, Svg.Scale x, ScaleOutScenario s) {
    double px = x.at(s.warmup.getSeconds());
    b.append("<line class=\"scale-out\" x1=\"").append(number(px)).append("\" x2=\"")
        .append(number(px)).append("\" y1=\"").append(TOP).append("\" y2=\"")
        .append(HEIGHT - BOTTOM).append("\" stroke=\"#222\" stroke-width=\"1.5\" ")
        .append("stroke-dasharray=\"6 4\"/>\n<text x=\"").append(number(px + 5)).append("\" y=\"")
        .append(TOP - 8).append("\">scale-out: ").append(s.pods).append(" → ").append(s.scaleTo)
        .append(" pods</text>\n");
  }

  private static void yTick(StringBuilder b, double py, String label) {
    b.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT)
        .append("\" y1=\"").append(number(py)).append("\" y2=\"").append(number(py))
        .append("\" stroke=\"#e6e6e6\"/>\n<text x=\"").append(LEFT - 6).append("\" y=\"")
        .append(number(py + 4)).append("\" text-anchor=\"end\">").append(escape(label))
        .append("</text>\n");
  }

  private static void xTick(StringBuilder b, double px, String label) {
    b.append("<line x1=\"").append(number(px)).append("\" x2=\"").append(number(px))
        .append("\" y1=\"").append(HEIGHT - BOTTOM).append("\" y2=\"").append(HEIGHT - BOTTOM + 5)
        .append("\" stroke=\"#666\"/>\n<text x=\"").append(number(px)).append("\" y=\"")
        .append(HEIGHT - BOTTOM + 18).append("\" text-anchor=\"middle\">").append(escape(label))
        .append("</text>\n");
  }

  private static void xAxis(StringBuilder b, Svg.Scale x, int seconds, String label) {
    for (double t : Svg.ticks(seconds, 8)) {
      xTick(b, x.at(t), Svg.label(t));
    }
    axisLabel(b, label);
  }

  private static void axisLabel(StringBuilder b, String label) {
    b.append("<text class=\"axis\" x=\"").append((LEFT + WIDTH - RIGHT) / 2).append("\" y=\"")
        .append(HEIGHT - 8).append("\" text-anchor=\"middle\">").append(escape(label))
        .append("</text>\n");
  }

  private static void yLabel(StringBuilder b, String label) {
    int cy = (TOP + HEIGHT - BOTTOM) / 2;
    b.append("<text class=\"axis\" x=\"14\" y=\"").append(cy).append("\" transform=\"rotate(-90 14 ")
        .append(cy).append(")\" text-anchor=\"middle\">").append(escape(label)).append("</text>\n");
  }

  private static void swatch(StringBuilder b, String colour, String label) {
    b.append("<span><i class=\"swatch\" style=\"background:").append(colour).append("\"></i>")
        .append(escape(label)).append("</span>");
  }
}
