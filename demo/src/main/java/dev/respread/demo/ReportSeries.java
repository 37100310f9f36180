package dev.respread.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The report's raw series as JSON, for anyone who wants to chart or check them another way: the
 * scenario; per mode the comparison table's row (by the table's headings), every second's calls
 * per pod with what the pods' recyclers read, and every latency bucket that holds a call.
 */
final class ReportSeries {
  private ReportSeries() {}

  /** The series file beside an HTML report: {@code report.html} gives {@code report.json}. */
  static Path beside(Path html) {
    String name = html.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String base = dot > 0 && name.substring(dot).toLowerCase(Locale.ROOT).matches("\\.html?")
        ? name.substring(0, dot) : name;
    return html.resolveSibling(base + ".json");
  }

  static String json(List<ScaleOutScenario.Result> results) {
    ScaleOutScenario s = results.get(0).scenario;
    StringBuilder b = new StringBuilder(256 * 1024);
    b.append("{\n  \"scenario\": {")
        .append("\"pods\": ").append(s.pods)
        .append(", \"scaleTo\": ").append(s.scaleTo)
        .append(", \"clients\": ").append(s.clients)
        .append(", \"minRate\": ").append(s.minRate)
        .append(", \"maxRate\": ").append(s.maxRate)
        .append(", \"warmupSeconds\": ").append(decimal(s.warmup.toMillis() / 1000.0))
        .append(", \"runSeconds\": ").append(decimal(s.run.toMillis() / 1000.0))
        .append(", \"fixedAgeSeconds\": ").append(decimal(s.fixedAge.toMillis() / 1000.0))
        .append(", \"graceSeconds\": ").append(decimal(s.grace.toMillis() / 1000.0))
        .append(", \"seed\": ").append(s.seed)
        .append(", \"proxy\": ").append(string(s.iptables ? "iptables" : "in-process"))
        .append(", \"view\": ").append(string(s.view.label()))
        .append(", \"scrapeIntervalSeconds\": ")
        .append(decimal(s.scrapeInterval.toMillis() / 1000.0))
        .append("},\n  \"modes\": [");
    List<Report.Column> columns = Report.columns();
    for (int m = 0; m < results.size(); m++) {
      ScaleOutScenario.Result r = results.get(m);
      b.append(m == 0 ? "\n" : ",\n").append("    {\"mode\": ").append(string(r.mode.label()))
          .append(",\n     \"summary\": {");
      for (int c = 0; c < columns.size(); c++) {
        b.append(c == 0 ? "" : ", ").append(string(columns.get(c).heading)).append(": ")
            .append(string(columns.get(c).cell.apply(r)));
      }
      b.append("},\n     \"judgedSeconds\": ").append(r.tailSeconds())
          .append(",\n     \"seconds\": [");
      for (int i = 0; i < r.timeline.size(); i++) {
        ScaleOutScenario.Second sec = r.timeline.get(i);
        b.append(i == 0 ? "\n" : ",\n").append("      {\"t\": ").append(sec.t)
            .append(", \"callsPerPod\": [");
        for (int p = 0; p < sec.perPod.length; p++) {
          b.append(p == 0 ? "" : ", ").append(sec.perPod[p]);
        }
        b.append("], \"ownOverMean\": [");
        for (int p = 0; p < sec.loadRatio.length; p++) {
          b.append(p == 0 ? "" : ", ").append(decimal(sec.loadRatio[p]));
        }
        b.append("], \"members\": ").append(sec.members).append(", \"maxOverMean\": ")
            .append(decimal(sec.maxOverMean())).append('}');
      }
      b.append("\n     ],\n     \"latency\": {\"unit\": \"microseconds\", \"buckets\": [");
      long[] counts = r.latency.counts();
      boolean first = true;
      for (int i = 0; i < counts.length; i++) {
        if (counts[i] == 0) {
          continue;
        }
        long to = LatencyHistogram.upperBoundMicros(i);
        b.append(first ? "\n" : ",\n").append("       {\"from\": ")
            .append(LatencyHistogram.lowerBoundMicros(i)).append(", \"to\": ")
            .append(to == Long.MAX_VALUE ? "null" : Long.toString(to)).append(", \"calls\": ")
            .append(counts[i]).append('}');
        first = false;
      }
      b.append(first ? "" : "\n     ").append("]}}");
    }
    return b.append("\n  ]\n}\n").toString();
  }

  /** A JSON number, or null for what JSON cannot hold (NaN, an unknown ratio). */
  static String decimal(double v) {
    if (!Double.isFinite(v)) {
      return "null";
    }
    String s = String.format(Locale.ROOT, "%.4f", v).replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** A JSON string. */
  static String string(String v) {
    StringBuilder b = new StringBuilder(v.length() + 2).append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
