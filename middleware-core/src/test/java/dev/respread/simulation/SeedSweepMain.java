package dev.respread.simulation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The demo's scale-out (2 -> 4 pods, 32 clients of uneven weight, a Prometheus view scraping every
 * second over 10 s) over many seeds: how long after the scale-out max/mean first holds at or below
 * 1.2 for 6 s, and the drains in the 60 s after it. One seed is one draw of the luck that decides
 * where reconnecting clients land; the demo measures three. From the repository root:
 *
 * <pre>
 * mvn -B -q -pl middleware-core test-compile exec:java \
 *     -Dexec.mainClass=dev.respread.simulation.SeedSweepMain -Dexec.classpathScope=test \
 *     -Dexec.args="60"
 * </pre>
 *
 * A second argument, {@code trace}, also prints each seed's max/mean for 40 s from the
 * scale-out. Time is counted from the scale-out, so it includes the 5 s before Prometheus finds
 * the new pods and the scrapes before the view counts them ({@link ViewModel#DISCOVERY}).
 */
public final class SeedSweepMain {
  private static final int HOLD = 6;
  private static final double BALANCED = 1.2;

  private SeedSweepMain() {}

  /** Runs {@code args[0]} seeds (default 50); see the class comment. */
  public static void main(String[] args) {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    List<Long> times = new ArrayList<>();
    List<Long> drains = new ArrayList<>();
    boolean trace = args.length > 1 && args[1].equals("trace");
    for (long seed = 1; seed <= seeds; seed++) {
      Scenario.Builder b = Scenario.builder("demo scale-out 2->4, "
              + Scenarios.FAST_PROMETHEUS.label)
          .pods(2).scaleOutTo(4, Scenarios.WARM_UP_SECONDS);
      // The demo's clients: 5 to 30 calls a second each, uniformly.
      java.util.Random r = new java.util.Random(seed);
      for (int i = 0; i < 32; i++) {
        b.client(Scenario.Weight.steady(5 + r.nextInt(26)));
      }
      Scenario s = b
          .view(Scenarios.FAST_PROMETHEUS)
          .durationSeconds(120)
          .seed(seed)
          .build();
      Outcome o = Simulation.run(s, Mode.RESPREAD);
      times.add(heldFrom(o, s.eventSecond, s.eventSecond + s.durationSeconds));
      if (trace) {
        StringBuilder line = new StringBuilder("seed " + seed + ", max/mean each second:");
        for (long t = s.eventSecond; t < s.eventSecond + 40; t++) {
          line.append(String.format(Locale.ROOT, " %.2f", o.ratioAt(t)));
        }
        System.out.println(line);
      }
      drains.add(o.clientDrainsUntil(s.eventSecond + 60) - o.clientDrainsUntil(s.eventSecond));
    }
    System.out.println(summary("seconds to max/mean <= 1.2 held 6 s", times));
    System.out.println(summary("drains in the 60 s after the scale-out", drains));
  }

  private static long heldFrom(Outcome o, long from, long end) {
    int run = 0;
    for (long t = from + 1; t < end; t++) {
      run = o.ratioAt(t) <= BALANCED ? run + 1 : 0;
      if (run == HOLD) {
        return t - HOLD + 1 - from;
      }
    }
    return Long.MAX_VALUE;
  }

  private static String summary(String what, List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    long never = sorted.stream().filter(v -> v == Long.MAX_VALUE).count();
    return String.format(Locale.ROOT, "%s over %d seeds: median %s, p75 %s, p90 %s, max %s%s",
        what, sorted.size(), at(sorted, 0.5), at(sorted, 0.75), at(sorted, 0.9),
        at(sorted, 1.0), never == 0 ? "" : " (" + never + " never)");
  }

  private static String at(List<Long> sorted, double q) {
    long v = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    return v == Long.MAX_VALUE ? "never" : Long.toString(v);
  }
}
