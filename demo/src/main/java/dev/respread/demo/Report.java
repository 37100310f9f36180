package dev.respread.demo;

import java.util.List;
import java.util.Locale;

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

  /** The modes side by side, as a Markdown table. */
  static String table(List<ScaleOutScenario.Result> results) {
    StringBuilder b = new StringBuilder();
    b.append("| mode | calls | failed | drains (by reason) | client reconnects | forced closes "
        + "| new pods' share, last third | max/mean, last third | balanced (≤ "
        + ScaleOutScenario.BALANCED + ") after scale-out | view counts new pods after "
        + "scale-out | balanced (≤ " + ScaleOutScenario.HELD_BALANCE + " held "
        + ScaleOutScenario.HOLD + " s) after that |\n");
    b.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (ScaleOutScenario.Result r : results) {
      double fair = (r.scenario.scaleTo - r.scenario.pods) / (double) r.scenario.scaleTo;
      int members = r.secondsToMembers();
      b.append(String.format(Locale.ROOT, "| %s | %d | %d%s | %d %s | %d | %d | %.2f (fair: %.2f) "
              + "| %.2f | %s | %s | %s |%n",
          r.mode.label(), r.succeeded + r.failed, r.failed,
          r.failed == 0 ? "" : " " + r.failuresByCode, r.drains(),
          r.drainsByReason.isEmpty() ? "" : r.drainsByReason.toString(), r.reconnects,
          r.forcedCloses, r.newPodsShare(), fair, r.maxOverMeanAtEnd(),
          seconds(r.secondsToBalance()), members < 0 ? "no view" : members + " s",
          seconds(r.secondsToHeldBalance())));
    }
    return b.toString();
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
            + "deferred=%d seconds_to_members=%d seconds_to_held_balance=%d",
        r.mode.label(), r.succeeded + r.failed, r.failed, r.forcedCloses, r.drains(),
        r.drainsByReason.getOrDefault("scale_out", 0L), r.drainsByReason.getOrDefault("load", 0L),
        r.reconnects, r.newPodsShare(), r.maxOverMeanAtEnd(), r.minOverMeanAtEnd(),
        r.secondsToBalance(),
        r.scaleOutDrainsBeforeScaleOut,
        r.deferredByReason.values().stream().mapToLong(Long::longValue).sum(),
        r.secondsToMembers(), r.secondsToHeldBalance());
  }
}
