package dev.respread.demo;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Formats the demo's timeline and its comparison table. */
final class Report {
  private Report() {}

  /** One second: the calls each pod served, the busiest pod against the mean, and a marker. */
  static String line(ScaleOutScenario.Second s, ScaleOutScenario scenario) {
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "t=%3ds  pods %d |", s.t,
        s.perPod.length));
    for (long n : s.perPod) {
      b.append(String.format(Locale.ROOT, " %4d", n));
    }
    b.append(String.format(Locale.ROOT, " | max/mean %.2f", s.maxOverMean()));
    if (s.members > 0) {
      // What the pods' recyclers see: their own load over the mean, and the members.
      b.append(" | own/mean");
      for (double r : s.loadRatio) {
        b.append(Double.isNaN(r) ? "    -" : String.format(Locale.ROOT, " %4.2f", r));
      }
      b.append(" | members ").append(s.members);
    }
    if (s.t == scenario.warmup.getSeconds()) {
      b.append(String.format(Locale.ROOT, "   <- scale-out to %d pods", scenario.scaleTo));
    }
    return b.toString();
  }

  /** One column of the comparison table: its heading and how a result fills it. */
  static final class Column {
    final String heading;
    /** Right-aligned in Markdown: a number. */
    final boolean numeric;
    final Function<ScaleOutScenario.Result, String> cell;

    Column(String heading, boolean numeric, Function<ScaleOutScenario.Result, String> cell) {
      this.heading = heading;
      this.numeric = numeric;
      this.cell = cell;
    }
  }

  /**
   * The comparison table's columns, in order: the one definition that the terminal table and the
   * HTML report both render.
   */
  static List<Column> columns() {
    return List.of(
        new Column("mode", false, r -> r.mode.label()),
        new Column("calls", true, r -> Long.toString(r.calls())),
        new Column("calls/s", true, r -> String.format(Locale.ROOT, "%.0f", r.callsPerSecond())),
        new Column("failed", true, r -> r.failed
            + (r.failed == 0 ? "" : " " + r.failuresByCode)),
        new Column("drains (by reason)", false, r -> r.drains()
            + (r.drainsByReason.isEmpty() ? "" : " " + r.drainsByReason)),
        new Column("client reconnects", true, r -> Long.toString(r.reconnects)),
        new Column("reconnects/min", true,
            r -> String.format(Locale.ROOT, "%.1f", r.reconnectsPerMinute())),
        new Column("forced closes", true, r -> Long.toString(r.forcedCloses)),
        new Column("new pods' share, last third", true, r -> String.format(Locale.ROOT,
            "%.2f (fair: %.2f)", r.newPodsShare(),
            (r.scenario.scaleTo - r.scenario.pods) / (double) r.scenario.scaleTo)),
        new Column("max/mean, last third", true,
            r -> String.format(Locale.ROOT, "%.2f", r.maxOverMeanAtEnd())),
        new Column("balanced (≤ " + ScaleOutScenario.BALANCED + ") after scale-out", true,
            r -> seconds(r.secondsToBalance())),
        new Column("view counts new pods after scale-out", true, r -> {
          int members = r.secondsToMembers();
          return members < 0 ? "no view" : members + " s";
        }),
        new Column("balanced (≤ " + ScaleOutScenario.HELD_BALANCE + " held "
            + ScaleOutScenario.HOLD + " s) after that", true,
            r -> seconds(r.secondsToHeldBalance())),
        new Column("p50 ms", true, r -> millis(r.latencyMillis(0.5))),
        new Column("p99 ms", true, r -> millis(r.latencyMillis(0.99))),
        new Column("p99.9 ms", true, r -> millis(r.latencyMillis(0.999))),
        new Column("proxy CPU s", true, r -> Double.isNaN(r.proxyCpuSeconds) ? "-"
            : String.format(Locale.ROOT, "%.1f", r.proxyCpuSeconds)));
  }

  /** The modes side by side, as a Markdown table. */
  static String table(List<ScaleOutScenario.Result> results) {
    List<Column> columns = columns();
    StringBuilder b = new StringBuilder("|");
    for (Column c : columns) {
      b.append(' ').append(c.heading).append(" |");
    }
    b.append("\n|");
    for (Column c : columns) {
      b.append(c.numeric ? " ---: |" : " --- |");
    }
    b.append('\n');
    for (ScaleOutScenario.Result r : results) {
      b.append('|');
      for (Column c : columns) {
        b.append(' ').append(c.cell.apply(r)).append(" |");
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String millis(double ms) {
    return String.format(Locale.ROOT, ms < 10 ? "%.2f" : "%.1f", ms);
  }

  private static String seconds(int s) {
    return s < 0 ? "never" : s + " s";
  }

  /** One result as {@code key=value} pairs, for scripts and tests. */
  static String resultLine(ScaleOutScenario.Result r) {
    return String.format(Locale.ROOT, "result: mode=%s calls=%d failed=%d forced=%d drains=%d "
            + "scale_out_drains=%d load_drains=%d reconnects=%d new_pods_share=%.3f "
            + "max_over_mean=%.3f min_over_mean=%.3f seconds_to_balance=%d "
            + "scale_out_drains_before_scale_out=%d "
            + "deferred=%d seconds_to_members=%d seconds_to_held_balance=%d "
            + "calls_per_second=%.1f reconnects_per_minute=%.1f p50_ms=%.3f p99_ms=%.3f "
            + "p999_ms=%.3f proxy_cpu_seconds=%.2f",
        r.mode.label(), r.calls(), r.failed, r.forcedCloses, r.drains(),
        r.drainsByReason.getOrDefault("scale_out", 0L), r.drainsByReason.getOrDefault("load", 0L),
        r.reconnects, r.newPodsShare(), r.maxOverMeanAtEnd(), r.minOverMeanAtEnd(),
        r.secondsToBalance(),
        r.scaleOutDrainsBeforeScaleOut,
        r.deferredByReason.values().stream().mapToLong(Long::longValue).sum(),
        r.secondsToMembers(), r.secondsToHeldBalance(), r.callsPerSecond(),
        r.reconnectsPerMinute(), r.latencyMillis(0.5), r.latencyMillis(0.99),
        r.latencyMillis(0.999), r.proxyCpuSeconds);
  }
}
