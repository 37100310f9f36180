package dev.respread.demo;

import dev.respread.internal.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The respread demo: a local cluster where pinned gRPC clients meet a scale-out, run once per
 * mode on the same seed, with a per-second timeline of what each pod served and a table that
 * compares the modes. The modes are respread and the alternatives people use today: no
 * recycling ({@code off}), a fixed maximum age, a GOAWAY after every call
 * ({@code close-every-request}) or by chance (kube-apiserver's {@code --goaway-chance}, p from
 * {@code --goaway-chance}), client-side {@code round_robin} over a headless Service re-resolved
 * every {@code --refresh} ({@code client-side}), and a real HAProxy balancing every request
 * ({@code l7-proxy}, Debian's {@code haproxy} on the path).
 *
 * <pre>
 * java -jar demo/target/respread-demo.jar [--pods 2] [--scale-to 4] [--clients 32]
 *     [--min-rate 5] [--max-rate 30] [--warmup 10s] [--run 30s] [--fixed-age 20s]
 *     [--grace 5s] [--modes off,fixed-age,respread,close-every-request,goaway-chance,
 *     client-side,l7-proxy] [--seed 1] [--proxy in-process] [--view in-process]
 *     [--scrape-interval 1s] [--goaway-chance 0.02] [--refresh 30s] [--quiet]
 * </pre>
 *
 * <p>While it runs, a terminal shows one screen redrawn in place: a line per mode and a bar per
 * pod of the calls it served in the last second ({@link LiveView}); when the output is not a
 * terminal, a line every few seconds. {@code --timeline} prints what each pod served every
 * second instead, {@code --quiet} only a heading per mode. {@code --report FILE} writes the
 * results as one self-contained HTML page with charts ({@link HtmlReport}) and the raw series
 * beside it as JSON ({@link ReportSeries}).
 *
 * <p>{@code --proxy iptables} makes the Service what kube-proxy writes: iptables DNAT rules with
 * {@code -m statistic --mode random}, in a network namespace the demo creates and deletes (root
 * only). The default is an in-process TCP proxy that picks endpoints the same way, which is a hop
 * of its own: compare latencies against {@code l7-proxy} under {@code --proxy iptables}, where
 * only the L7 proxy adds one (it then listens on the Service's address). {@code client-side}
 * dials the pods and has no Service address.
 *
 * <p>{@code --view prometheus} runs the path a user deploys: each pod is a JVM of its own
 * ({@link PodMain}) configured by {@code RESPREAD_*} variables, with
 * {@code RESPREAD_LOAD_SOURCE=prometheus} and a real Prometheus that scrapes the pods every
 * {@code --scrape-interval} and finds each one when it joins the Service. The demo then runs in
 * namespaces of its own (network and PID, root only), which end every process it started when
 * it ends. The default, {@code in-process}, tells pods in this JVM their exact rates every
 * second.
 *
 * <p>{@code RESPREAD_*} environment variables tune the respread mode, as they would a server.
 * The exit status is 1 if any client call failed, 2 on bad arguments or variables, and 3 if the
 * demo could not run (a port, a missing tool, no permission for the network namespace).
 */
public final class DemoMain {
  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("pods", "2");
    DEFAULTS.put("scale-to", "4");
    DEFAULTS.put("clients", "32");
    DEFAULTS.put("min-rate", "5");
    DEFAULTS.put("max-rate", "30");
    DEFAULTS.put("warmup", "10s");
    DEFAULTS.put("run", "30s");
    DEFAULTS.put("fixed-age", "20s");
    DEFAULTS.put("grace", "5s");
    DEFAULTS.put("modes", Mode.ALL);
    DEFAULTS.put("seed", "1");
    DEFAULTS.put("proxy", "in-process");
    DEFAULTS.put("view", "in-process");
    DEFAULTS.put("scrape-interval", "1s");
    DEFAULTS.put("goaway-chance", Double.toString(ScaleOutScenario.DEFAULT_GOAWAY_CHANCE));
    DEFAULTS.put("refresh", "30s");
  }

  private DemoMain() {}

  /** Runs the demo; see the class comment for the arguments. */
  public static void main(String[] args) throws InterruptedException {
    System.exit(run(args, System.out, System.err, terminalWidth()));
  }

  /** Runs the demo as output that is not a terminal, and returns its exit status. */
  static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
    return run(args, out, err, 0);
  }

  /**
   * Runs the demo and returns its exit status: 0, or 1 if a call failed, 2, or 3.
   *
   * @param terminal the width of the terminal that {@code out} writes to, or 0 if it is none
   */
  static int run(String[] args, PrintStream out, PrintStream err, int terminal)
      throws InterruptedException {
    if (args.length > 0 && args[0].equals("soak")) {
      return SoakMain.run(List.of(args).subList(1, args.length), out, err);
    }
    Map<String, String> options = new LinkedHashMap<>(DEFAULTS);
    boolean quiet = false;
    boolean timeline = false;
    Path report = null;
    ScaleOutScenario scenario;
    List<Mode> modes = new ArrayList<>();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.equals("--quiet")) {
          quiet = true;
        } else if (a.equals("--timeline")) {
          timeline = true;
        } else if (a.equals("--report") && i + 1 < args.length) {
          report = reportFile(args[++i]);
        } else if (a.equals("--help") || a.equals("-h")) {
          usage(out);
          return 0;
        } else if (a.startsWith("--") && DEFAULTS.containsKey(a.substring(2))
            && i + 1 < args.length) {
          options.put(a.substring(2), args[++i]);
        } else {
          throw new IllegalArgumentException("unknown argument: " + a);
        }
      }
      scenario = scenario(options, System.getenv());
      for (String m : options.get("modes").split(",")) {
        modes.add(Mode.of(m.trim()));
      }
      // Every mode's configuration, before anything runs: a bad RESPREAD_* variable stops the
      // demo at once, not after the baselines.
      for (Mode m : modes) {
        m.config(scenario.fixedAge, scenario.grace, scenario.environment);
      }
    } catch (IllegalArgumentException e) {
      // InvalidConfigurationException included: it names every bad variable.
      err.println("respread-demo: " + e.getMessage());
      usage(err);
      return 2;
    }

    try {
      if (modes.stream().anyMatch(Mode::l7Proxy)) {
        HaproxyService.checkInstalled();
      }
      if ((scenario.iptables || scenario.view == ScaleOutScenario.View.PROMETHEUS)
          && !NetnsLauncher.inside()) {
        // The Service becomes iptables rules, or the pods processes of their own: run the demo
        // again in namespaces of its own, which take everything it starts with them.
        return NetnsLauncher.run(List.of(args), ProcessBuilder.Redirect.INHERIT, terminal);
      }
      if (NetnsLauncher.inside()) {
        NetnsLauncher.bringUpLoopback();
      }
      out.printf(Locale.ROOT, "respread demo: %d pinned gRPC clients (pick_first, %d to %d "
              + "calls/s each) on %d pods behind %s; after %ds the Service scales to %d pods; "
              + "%ds more.%n",
          scenario.clients, scenario.minRate, scenario.maxRate, scenario.pods,
          scenario.iptables ? "kube-proxy-style iptables DNAT (-m statistic --mode random)"
              : "an in-process proxy that picks a pod at random per connection",
          scenario.warmup.getSeconds(), scenario.scaleTo, scenario.run.getSeconds());
      if (scenario.view == ScaleOutScenario.View.PROMETHEUS) {
        out.printf(Locale.ROOT, "Pods are JVMs of their own; respread reads the Prometheus view "
                + "(scrape every %s) with %s.%n", scenario.scrapeInterval.toString().substring(2)
                .toLowerCase(Locale.ROOT), prometheusSettings(scenario.environment));
      }
      List<ScaleOutScenario.Result> results = new ArrayList<>();
      LiveView view = LiveView.of(quiet ? LiveView.Kind.QUIET
              : timeline ? LiveView.Kind.TIMELINE
              : terminal > 0 ? LiveView.Kind.TERMINAL : LiveView.Kind.COMPACT,
          out, scenario, modes, terminal);
      for (Mode mode : modes) {
        view.start(mode);
        ScaleOutScenario.Result r = scenario.run(mode, view::second);
        view.end(r);
        results.add(r);
      }
      out.println();
      out.print(Report.table(results));
      for (ScaleOutScenario.Result r : results) {
        out.println(Report.resultLine(r));
      }
      if (report != null) {
        Path series = HtmlReport.write(report, results, Instant.now());
        out.printf("%nreport: %s (raw series: %s)%n", report, series);
      }
      return results.stream().anyMatch(r -> r.failed > 0) ? 1 : 0;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      // The machine, not the calls: a port, a missing tool, no permission for a namespace.
      err.println("respread-demo: could not run: " + e);
      return 3;
    }
  }

  /** Where {@code --report} writes: a file in a directory that exists. */
  private static Path reportFile(String v) {
    Path file = Path.of(v).toAbsolutePath();
    if (Files.isDirectory(file) || !Files.isDirectory(file.getParent())) {
      throw new IllegalArgumentException(String.format(
          "--report: \"%s\" (expected: a file in a directory that exists)", v));
    }
    return file;
  }

  /**
   * The width of the terminal that standard output is, or 0 if it is not one (CI, a pipe, a
   * file), or if the terminal cannot redraw ({@code TERM=dumb}). Inside the network namespace
   * the launcher says so ({@link NetnsLauncher#TERMINAL_VARIABLE}).
   */
  static int terminalWidth() {
    String passed = System.getenv(NetnsLauncher.TERMINAL_VARIABLE);
    if (passed != null) {
      return Integer.parseInt(passed);
    }
    if (System.console() == null || "dumb".equals(System.getenv("TERM"))
        || System.getenv("TERM") == null) {
      return 0;
    }
    try {
      // stty reads the size of the terminal it is given as input.
      Process stty = new ProcessBuilder("stty", "size")
          .redirectInput(ProcessBuilder.Redirect.INHERIT)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String size = new String(stty.getInputStream().readAllBytes()).trim();
      if (stty.waitFor() == 0 && size.matches("\\d+ \\d+")) {
        return Math.max(1, Integer.parseInt(size.split(" ")[1]));
      }
    } catch (IOException e) {
      // No stty: the usual width.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 80;
  }

  static ScaleOutScenario scenario(Map<String, String> options, Map<String, String> environment) {
    return new ScaleOutScenario(
        integer(options, "pods"), integer(options, "scale-to"), integer(options, "clients"),
        integer(options, "min-rate"), integer(options, "max-rate"),
        duration(options, "warmup"), duration(options, "run"), duration(options, "fixed-age"),
        duration(options, "grace"), integer(options, "seed"), iptables(options),
        ScaleOutScenario.View.of(options.get("view")), duration(options, "scrape-interval"),
        environment, goAwayChance(options), duration(options, "refresh"));
  }

  /** The view's settings that the pods get, the user's variables over the demo's. */
  private static String prometheusSettings(Map<String, String> environment) {
    StringBuilder b = new StringBuilder();
    for (String k : List.of("RESPREAD_PROMETHEUS_WINDOW", "RESPREAD_PROMETHEUS_INTERVAL",
        "RESPREAD_LOAD_INTERVAL")) {
      String v = environment.getOrDefault(k, ProcessCluster.VIEW_DEFAULTS.get(k));
      b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(v);
    }
    return b.toString();
  }

  private static double goAwayChance(Map<String, String> options) {
    String v = options.get("goaway-chance");
    double p;
    try {
      p = Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      p = Double.NaN;
    }
    if (!(p > 0 && p <= 1)) {
      throw new IllegalArgumentException(
          String.format("--goaway-chance: \"%s\" (expected: a number > 0 and <= 1)", v));
    }
    return p;
  }

  private static boolean iptables(Map<String, String> options) {
    String v = options.get("proxy");
    if (!v.equals("in-process") && !v.equals("iptables")) {
      throw new IllegalArgumentException(
          String.format("--proxy: \"%s\" (expected: in-process or iptables)", v));
    }
    return v.equals("iptables");
  }

  private static int integer(Map<String, String> options, String name) {
    String v = options.get(name);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format("--%s: \"%s\" (expected: an integer)", name, v), e);
    }
  }

  private static Duration duration(Map<String, String> options, String name) {
    String v = options.get(name);
    try {
      return Durations.parse(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          String.format("--%s: \"%s\" (expected: %s)", name, v, Durations.EXPECTED), e);
    }
  }

  private static void usage(PrintStream out) {
    StringBuilder b = new StringBuilder("usage: java -jar respread-demo.jar");
    DEFAULTS.forEach((k, v) -> b.append(" [--").append(k).append(' ').append(v).append(']'));
    out.println(b.append(" [--report FILE] [--timeline] [--quiet]"));
  }
}
