package dev.respread.demo;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the demo shows while the modes run, one after the other. On a terminal, one screen redrawn
 * in place every second: a line per mode (done, running or waiting) and, under the running one,
 * a bar per pod of the calls it served in the last second. Elsewhere (CI, a pipe, a file) a
 * compact line every few seconds; with {@code --timeline} the per-second lines that
 * BENCHMARKS.md quotes; with {@code --quiet} only a heading per mode.
 */
abstract class LiveView {
  /** How the demo shows its progress. */
  enum Kind {
    QUIET, TIMELINE, COMPACT, TERMINAL
  }

  /** Seconds between two of the compact view's lines. */
  static final int COMPACT_EVERY = 5;

  final PrintStream out;
  final ScaleOutScenario scenario;
  final int seconds;

  LiveView(PrintStream out, ScaleOutScenario scenario) {
    this.out = out;
    this.scenario = scenario;
    this.seconds = (int) (scenario.warmup.getSeconds() + scenario.run.getSeconds());
  }

  static LiveView of(Kind kind, PrintStream out, ScaleOutScenario scenario, List<Mode> modes,
      int width) {
    switch (kind) {
      case QUIET:
        return new Headings(out, scenario, false);
      case TIMELINE:
        return new Headings(out, scenario, true);
      case COMPACT:
        return new Compact(out, scenario);
      default:
        return new Terminal(out, scenario, modes, width);
    }
  }

  /** A mode starts. */
  abstract void start(Mode mode);

  /** A second of the running mode has passed. */
  abstract void second(ScaleOutScenario.Second s);

  /** The running mode has ended. */
  abstract void end(ScaleOutScenario.Result r);

  /** The line above a mode's output where nothing is redrawn, after an empty line. */
  static String heading(Mode mode) {
    return "== " + mode.label() + ": " + mode.description() + " ==";
  }

  /** A mode's outcome in a line. */
  static String outcome(ScaleOutScenario.Result r) {
    int balance = r.secondsToBalance();
    return String.format(Locale.ROOT, "max/mean %.2f at the end, %s, %d reconnects, %d failed",
        r.maxOverMeanAtEnd(), balance < 0 ? "never balanced" : "balanced after " + balance + " s",
        r.reconnects, r.failed);
  }

  /** A heading per mode, and with {@code timeline} {@link Report#line} every second. */
  static final class Headings extends LiveView {
    private final boolean timeline;

    Headings(PrintStream out, ScaleOutScenario scenario, boolean timeline) {
      super(out, scenario);
      this.timeline = timeline;
    }

    @Override
    void start(Mode mode) {
      out.println();
      out.println(heading(mode));
    }

    @Override
    void second(ScaleOutScenario.Second s) {
      if (timeline) {
        out.println(Report.line(s, scenario));
      }
    }

    @Override
    void end(ScaleOutScenario.Result r) {}
  }

  /**
   * Where nothing can be redrawn: a line every {@link #COMPACT_EVERY} seconds, at the scale-out
   * and at the end of each mode, so that a CI log shows the run's progress in a few lines.
   */
  static final class Compact extends LiveView {
    private String mode;

    Compact(PrintStream out, ScaleOutScenario scenario) {
      super(out, scenario);
    }

    @Override
    void start(Mode mode) {
      this.mode = mode.label();
      out.println();
      out.println(heading(mode));
    }

    @Override
    void second(ScaleOutScenario.Second s) {
      boolean scaleOut = s.t == scenario.warmup.getSeconds();
      if (s.t % COMPACT_EVERY != 0 && !scaleOut && s.t != seconds) {
        return;
      }
      StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%s %3d/%d s  calls/s:",
          mode, s.t, seconds));
      for (long n : s.perPod) {
        b.append(' ').append(n);
      }
      b.append(String.format(Locale.ROOT, "  max/mean %.2f", s.maxOverMean()));
      if (scaleOut) {
        b.append("  <- scale-out to ").append(scenario.scaleTo).append(" pods");
      }
      out.println(b);
    }

    @Override
    void end(ScaleOutScenario.Result r) {
      out.println(mode + " done: " + outcome(r));
    }
  }

  /**
   * One screen, redrawn in place with ANSI escapes: a line per mode, and a bar per pod under the
   * running mode, about as many lines as modes plus pods.
   */
  static final class Terminal extends LiveView {
    private static final String RESET = "\033[0m";
    /** The widest a pod's bar gets. */
    static final int BAR_CELLS = 50;
    private static final String[] EIGHTHS = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    /** The 256-colour palette's nearest to {@link HtmlReport#POD_COLOURS}, in order. */
    private static final int[] POD_COLOURS = {67, 208, 167, 109, 71, 185, 139, 218, 95, 243};

    private final List<Mode> modes;
    private final int width;
    private final List<String> done = new ArrayList<>();
    private final int labelWidth;
    private Mode running;
    private ScaleOutScenario.Second last;
    private long calls;
    private long peak;
    private int drawn;

    Terminal(PrintStream out, ScaleOutScenario scenario, List<Mode> modes, int width) {
      super(out, scenario);
      this.modes = List.copyOf(modes);
      this.width = Math.max(60, width);
      int w = 0;
      for (Mode m : modes) {
        w = Math.max(w, m.label().length());
      }
      this.labelWidth = w;
    }

    @Override
    void start(Mode mode) {
      running = mode;
      last = null;
      calls = 0;
      peak = 0;
      draw();
    }

    @Override
    void second(ScaleOutScenario.Second s) {
      last = s;
      for (long n : s.perPod) {
        calls += n;
        peak = Math.max(peak, n);
      }
      draw();
    }

    @Override
    void end(ScaleOutScenario.Result r) {
      done.add(fit(String.format(Locale.ROOT, "  %-" + labelWidth + "s  done: %s",
          r.mode.label(), outcome(r))));
      running = null;
      last = null;
      draw();
    }

    /** The screen as it is now, a line each, escapes included. */
    List<String> frame() {
      List<String> lines = new ArrayList<>(done);
      for (int i = done.size(); i < modes.size(); i++) {
        Mode m = modes.get(i);
        if (i > done.size() || running == null) {
          lines.add(fit(String.format(Locale.ROOT, "  %-" + labelWidth + "s  waiting",
              m.label())));
          continue;
        }
        lines.add(progress(m));
        if (last != null) {
          for (int p = 0; p < last.perPod.length; p++) {
            lines.add(pod(p));
          }
        }
      }
      return lines;
    }

    private String progress(Mode m) {
      int t = last == null ? 0 : last.t;
      int cells = 20;
      int filled = Math.min(cells, t * cells / Math.max(1, seconds));
      String phase = t <= scenario.warmup.getSeconds()
          ? "warm-up, " + scenario.pods + " pods"
          : "after the scale-out to " + scenario.scaleTo;
      String text = String.format(Locale.ROOT, "> %-" + labelWidth + "s  [%s%s] %3d/%d s  %s",
          m.label(), "#".repeat(filled), ".".repeat(cells - filled), t, seconds, phase);
      if (last != null) {
        text += String.format(Locale.ROOT, "  max/mean %.2f  %d calls", last.maxOverMean(),
            calls);
      }
      return "\033[1m" + fit(text) + RESET;
    }

    /** A pod's bar, scaled to the busiest second any pod has had in this mode. */
    private String pod(int p) {
      long n = last.perPod[p];
      String name = String.format(Locale.ROOT, "    pod %2d %-3s ", p + 1,
          p >= scenario.pods ? "new" : "");
      String value = String.format(Locale.ROOT, " %5d/s", n);
      if (last.members > 0 && p < last.loadRatio.length && !Double.isNaN(last.loadRatio[p])) {
        value += String.format(Locale.ROOT, "  own/mean %.2f", last.loadRatio[p]);
      }
      // Wide enough to tell pods apart, narrow enough to keep each number near its bar.
      int cells = Math.max(10, Math.min(BAR_CELLS, width - 1 - name.length() - value.length()));
      return name + "\033[38;5;" + POD_COLOURS[p % POD_COLOURS.length] + "m"
          + bar(n, peak, cells) + RESET + value;
    }

    /** {@code n} of {@code max} as a bar of {@code cells} characters, to an eighth of one. */
    static String bar(long n, long max, int cells) {
      long eighths = max <= 0 ? 0 : Math.min(8L * cells, Math.round(8.0 * cells * n / max));
      StringBuilder b = new StringBuilder("█".repeat((int) (eighths / 8)))
          .append(EIGHTHS[(int) (eighths % 8)]);
      while (b.length() < cells) {
        b.append(' ');
      }
      return b.toString();
    }

    /** Cut to the screen's width, so that no line wraps and the redraw stays in place. */
    private String fit(String line) {
      return line.length() < width ? line : line.substring(0, width - 1);
    }

    private void draw() {
      StringBuilder b = new StringBuilder();
      if (drawn > 0) {
        // Back to the first line of the last frame, and clear it and everything below.
        // (CSI n A, cursor up, which every terminal knows; CSI n F is not everywhere.)
        b.append("\r\033[").append(drawn).append('A');
      }
      b.append("\033[J");
      List<String> lines = frame();
      for (String line : lines) {
        b.append(line).append('\n');
      }
      drawn = lines.size();
      out.print(b);
      out.flush();
    }
  }
}
