package dev.respread.demo;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a pod's {@code /metrics} page says, read from the Prometheus text format: enough for the
 * demo to follow its pods (counters and gauges, simple label values), not a general parser.
 */
final class MetricsText {
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final List<Sample> samples;

  private MetricsText(List<Sample> samples) {
    this.samples = samples;
  }

  static MetricsText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.indexOf(' ');
      Map<String, String> labels = new HashMap<>();
      String name;
      String rest;
      if (brace >= 0 && (space < 0 || brace < space)) {
        int close = line.lastIndexOf('}');
        name = line.substring(0, brace);
        Matcher m = LABEL.matcher(line.substring(brace + 1, close));
        while (m.find()) {
          labels.put(m.group(1), m.group(2));
        }
        rest = line.substring(close + 1).trim();
      } else {
        name = line.substring(0, space);
        rest = line.substring(space + 1).trim();
      }
      // A timestamp may follow the value.
      String value = rest.split(" ")[0];
      samples.add(new Sample(name, labels, number(value)));
    }
    return new MetricsText(samples);
  }

  private static double number(String value) {
    switch (value) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        return Double.parseDouble(value);
    }
  }

  /** The sum of the samples of {@code name} whose labels include {@code labels}; 0 if none. */
  double sum(String name, Map<String, String> labels) {
    double sum = 0;
    for (Sample s : samples) {
      if (s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet())) {
        sum += s.value;
      }
    }
    return sum;
  }

  double sum(String name) {
    return sum(name, Map.of());
  }

  /** The value of the first sample of {@code name}, or NaN if there is none. */
  double value(String name) {
    for (Sample s : samples) {
      if (s.name.equals(name)) {
        return s.value;
      }
    }
    return Double.NaN;
  }

  /** Sums of {@code name} by the value of {@code label}, leaving out zeros. */
  Map<String, Long> countsBy(String name, String label) {
    Map<String, Long> counts = new HashMap<>();
    for (Sample s : samples) {
      if (s.name.equals(name) && s.labels.containsKey(label) && s.value > 0) {
        counts.merge(s.labels.get(label), (long) s.value, Long::sum);
      }
    }
    return counts;
  }

  private static final class Sample {
    final String name;
    final Map<String, String> labels;
    final double value;

    Sample(String name, Map<String, String> labels, double value) {
      this.name = name;
      this.labels = labels;
      this.value = value;
    }
  }
}
