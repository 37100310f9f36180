package dev.respread.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the HTML report's charts are drawn with: escaping, numbers, scales and axis ticks. */
final class Svg {
  private Svg() {}

  /** {@code text} safe in HTML and SVG text and in quoted attribute values. */
  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&':
          b.append("&amp;");
          break;
        case '<':
          b.append("&lt;");
          break;
        case '>':
          b.append("&gt;");
          break;
        case '"':
          b.append("&quot;");
          break;
        case '\'':
          b.append("&#39;");
          break;
        default:
          b.append(c);
      }
    }
    return b.toString();
  }

  /** A coordinate: at most one decimal, no exponent, never {@code -0}. */
  static String number(double v) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("v: " + v + " (expected: a finite number)");
    }
    long tenths = Math.round(v * 10);
    if (tenths % 10 == 0) {
      return Long.toString(tenths / 10);
    }
    return String.format(Locale.ROOT, "%.1f", tenths / 10.0);
  }

  /** A map from a domain of values to a range of pixels. */
  interface Scale {
    double at(double value);
  }

  /** Values in {@code [d0, d1]} to pixels in {@code [r0, r1]}, in proportion. */
  static Scale linear(double d0, double d1, double r0, double r1) {
    check(d1 > d0, "linear domain: %s to %s (expected: an increasing range)", d0, d1);
    return v -> r0 + (v - d0) / (d1 - d0) * (r1 - r0);
  }

  /**
   * Values in {@code [d0, d1]} to pixels in {@code [r0, r1]} by their logarithm: each power of ten
   * takes the same width.
   */
  static Scale log(double d0, double d1, double r0, double r1) {
    check(d0 > 0 && d1 > d0, "log domain: %s to %s (expected: 0 < from < to)", d0, d1);
    double l0 = Math.log(d0);
    double span = Math.log(d1) - l0;
    return v -> r0 + (Math.log(v) - l0) / span * (r1 - r0);
  }

  /**
   * A round step (1, 2 or 5 times a power of ten) that splits {@code [0, max]} into about
   * {@code count} parts.
   */
  static double step(double max, int count) {
    check(max > 0 && count > 0, "step: max %s, count %s (expected: both > 0)", max, count);
    double raw = max / count;
    double power = Math.pow(10, Math.floor(Math.log10(raw)));
    double m = raw / power;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
  }

  /** {@code max} rounded up to a whole number of {@link #step}s, so the top tick is labelled. */
  static double niceMax(double max, int count) {
    if (max <= 0) {
      return 1;
    }
    double step = step(max, count);
    return Math.ceil(max / step - 1e-9) * step;
  }

  /** The ticks from 0 to {@code max} at {@link #step} apart. */
  static List<Double> ticks(double max, int count) {
    double step = step(max, count);
    List<Double> ticks = new ArrayList<>();
    for (int i = 0; i * step <= max * (1 + 1e-9); i++) {
      ticks.add(i * step);
    }
    return ticks;
  }

  /** The 1, 2, 5 times powers of ten within {@code [from, to]}, for a log axis. */
  static List<Double> logTicks(double from, double to) {
    check(from > 0 && to > from, "log ticks: %s to %s (expected: 0 < from < to)", from, to);
    List<Double> ticks = new ArrayList<>();
    for (double power = Math.pow(10, Math.floor(Math.log10(from))); power <= to; power *= 10) {
      for (int m : new int[] {1, 2, 5}) {
        double v = m * power;
        if (v >= from * (1 - 1e-9) && v <= to * (1 + 1e-9)) {
          ticks.add(v);
        }
      }
    }
    return ticks;
  }

  /** A tick's label: {@code 0.2}, {@code 5}, {@code 1000}, without trailing zeros. */
  static String label(double v) {
    String s = String.format(Locale.ROOT, "%.3f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static void check(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(Locale.ROOT, format, args));
    }
  }
}
