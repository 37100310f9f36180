package dev.respread.demo;

import dev.respread.RecyclingConfig;
import dev.respread.internal.Durations;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code soak}: every client stack at once against pods that recycle hard, through the iptables
 * Service, while the Service scales out and in, rolls, loses a pod to SIGKILL and its load
 * view's Prometheus to a restart. It prints progress while it runs, then per client the requests,
 * the failures by class, the calls a SIGKILLed pod had in flight (the only failures allowed) and
 * the connections it was served on, and exits 1 on any other failure or if a pod's drains went
 * over its budget.
 *
 * <pre>
 * java -jar demo/target/respread-demo.jar soak [--duration 60s] [--requests 0] ...
 * </pre>
 */
final class SoakMain {
  /**
   * The pods recycle hard: a connection lives about 3 s or 50 requests; a pod's shutdown waits
   * 1 s for the endpoints to drop it; the load view counts as stale after 5 s, so a Prometheus
   * outage puts the pods on the fallback. The user's {@code RESPREAD_*} variables come on top.
   */
  static final Map<String, String> POD_DEFAULTS = Map.of(
      "RESPREAD_MAX_CONNECTION_AGE", "3s",
      "RESPREAD_MAX_REQUESTS_PER_CONNECTION", "50",
      "RESPREAD_MAX_CONNECTION_AGE_GRACE", "10s",
      "RESPREAD_SHUTDOWN_DELAY", "1s",
      "RESPREAD_LOAD_MAX_STALENESS", "5s");

  private static final Map<String, String> DEFAULTS = new LinkedHashMap<>();

  static {
    DEFAULTS.put("duration", "60s");
    DEFAULTS.put("requests", "0");
    DEFAULTS.put("pods", "3");
    DEFAULTS.put("event-gap", "5s");
    DEFAULTS.put("prometheus-outage", "10s");
    DEFAULTS.put("scrape-interval", "1s");
    DEFAULTS.put("grpc-channels", "2");
    DEFAULTS.put("grpc-calls", "2");
    DEFAULTS.put("grpc-js-calls", "4");
    DEFAULTS.put("http-concurrency", "2");
    DEFAULTS.put("curl-loops", "2");
    DEFAULTS.put("curl-batch", "200");
    DEFAULTS.put("wrk-connections", "2");
    DEFAULTS.put("wrk-pace-ms", "2");
    DEFAULTS.put("wrk-segment", "10s");
    DEFAULTS.put("progress", "5s");
    DEFAULTS.put("node-client", "");
  }

  private SoakMain() {}

  /** {@code args} without the leading {@code soak}; returns the exit status. */
  static int run(List<String> args, PrintStream out, PrintStream err) throws InterruptedException {
    Map<String, String> o = new LinkedHashMap<>(DEFAULTS);
    Options options;
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.equals("--help") || a.equals("-h")) {
          usage(out);
          return 0;
        } else if (a.startsWith("--") && DEFAULTS.containsKey(a.substring(2))
            && i + 1 < args.size()) {
          o.put(a.substring(2), args.get(++i));
        } else {
          throw new IllegalArgumentException("unknown argument: " + a);
        }
      }
      options = new Options(o, System.getenv());
    } catch (IllegalArgumentException e) {
      err.println("respread-demo soak: " + e.getMessage());
      usage(err);
      return 2;
    }
    try {
      if (!NetnsLauncher.inside()) {
        List<String> all = new ArrayList<>(List.of("soak"));
        all.addAll(args);
        return NetnsLauncher.run(all, ProcessBuilder.Redirect.INHERIT);
      }
      NetnsLauncher.bringUpLoopback();
      return soak(options, out);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      err.println("respread-demo soak: could not run: " + e);
      e.printStackTrace(err);
      return 3;
    }
  }

  /** The options, checked. */
  static final class Options {
    final Duration duration;
    final long requests;
    final int pods;
    final Duration eventGap;
    final Duration outage;
    final Duration scrapeInterval;
    final int grpcChannels;
    final int grpcCalls;
    final int grpcJsCalls;
    final int httpConcurrency;
    final int curlLoops;
    final int curlBatch;
    final int wrkConnections;
    final int wrkPaceMillis;
    final Duration wrkSegment;
    final Duration progress;
    final Path nodeClient;
    final Map<String, String> podEnvironment;
    final RecyclingConfig config;

    Options(Map<String, String> o, Map<String, String> environment) {
      duration = duration(o, "duration");
      requests = Long.parseLong(positive(o, "requests", 0));
      pods = integer(o, "pods", 2);
      eventGap = duration(o, "event-gap");
      outage = duration(o, "prometheus-outage");
      scrapeInterval = duration(o, "scrape-interval");
      grpcChannels = integer(o, "grpc-channels", 1);
      grpcCalls = integer(o, "grpc-calls", 1);
      grpcJsCalls = integer(o, "grpc-js-calls", 1);
      httpConcurrency = integer(o, "http-concurrency", 1);
      curlLoops = integer(o, "curl-loops", 1);
      curlBatch = integer(o, "curl-batch", 1);
      wrkConnections = integer(o, "wrk-connections", 1);
      wrkPaceMillis = integer(o, "wrk-pace-ms", 0);
      wrkSegment = duration(o, "wrk-segment");
      progress = duration(o, "progress");
      nodeClient = o.get("node-client").isEmpty() ? defaultNodeClient()
          : Path.of(o.get("node-client"));
      Map<String, String> env = new HashMap<>(POD_DEFAULTS);
      environment.forEach((k, v) -> {
        if (k.startsWith("RESPREAD_")) {
          env.put(k, v);
        }
      });
      podEnvironment = Map.copyOf(env);
      Map<String, String> all = new HashMap<>(ProcessCluster.VIEW_DEFAULTS);
      all.putAll(podEnvironment);
      // A bad RESPREAD_* variable stops the soak here, with the library's message.
      config = RecyclingConfig.fromEnvironment(all);
    }

    private static String positive(Map<String, String> o, String name, long least) {
      String v = o.get(name);
      try {
        if (Long.parseLong(v) >= least) {
          return v;
        }
      } catch (NumberFormatException e) {
        // Reported below.
      }
      throw new IllegalArgumentException(
          String.format("--%s: \"%s\" (expected: an integer >= %d)", name, v, least));
    }

    private static int integer(Map<String, String> o, String name, int least) {
      return Integer.parseInt(positive(o, name, least));
    }

    private static Duration duration(Map<String, String> o, String name) {
      String v = o.get(name);
      try {
        return Durations.parse(v);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            String.format("--%s: \"%s\" (expected: %s)", name, v, Durations.EXPECTED), e);
      }
    }
  }

  /**
   * {@code demo/src/main/node}, found from where this class was loaded: {@code demo/target/classes}
   * or {@code demo/target/respread-demo.jar}.
   */
  static Path defaultNodeClient() {
    try {
      Path here = Path.of(SoakMain.class.getProtectionDomain().getCodeSource().getLocation()
          .toURI());
      Path target = here.getParent();
      return target.getParent().resolve("src/main/node");
    } catch (Exception e) {
      return Path.of("demo/src/main/node");
    }
  }

  private static int soak(Options o, PrintStream out) throws Exception {
    Path script = o.nodeClient.resolve("soak-client.js");
    if (!Files.isDirectory(o.nodeClient.resolve("node_modules/@grpc/grpc-js"))) {
      throw new IllegalStateException("no @grpc/grpc-js in " + o.nodeClient
          + "/node_modules (run npm ci there)");
    }
    String workDir = System.getenv(NetnsLauncher.WORK_DIR_VARIABLE);
    Path dir = Files.createTempDirectory(workDir == null ? Path.of(System.getProperty(
        "java.io.tmpdir")) : Path.of(workDir), "soak-");
    RecyclingConfig c = o.config;
    out.printf(Locale.ROOT, "respread soak: %d pods (gRPC and HTTP on one recycler each) behind "
            + "kube-proxy-style iptables DNAT, %s; max age %s, %d requests per connection, "
            + "grace %s, shutdown delay %s, load view Prometheus (scrape %s, stale after %s). "
            + "Until %s%s. Events every %s: scale-out, Prometheus SIGKILL + restart, "
            + "scale-in, rolling restart, pod SIGKILL.%n",
        o.pods, ScaleOutScenario.SERVICE_IP + ":" + SoakCluster.GRPC_PORT + " (gRPC) and :"
            + SoakCluster.HTTP_PORT + " (HTTP)", human(c.maxConnectionAge()),
        c.maxRequestsPerConnection(), human(c.maxConnectionAgeGrace()), human(c.shutdownDelay()),
        human(o.scrapeInterval), human(c.loadMaxStaleness()), human(o.duration),
        o.requests > 0 ? " or " + o.requests + " requests" : "", human(o.eventGap));
    out.printf("JVM: %s %s on %d cores.%n", System.getProperty("java.vm.name"),
        Runtime.version(), Runtime.getRuntime().availableProcessors());
    if (failsStreamsOnGoAway(Runtime.version())) {
      out.printf("warning: the JDK HttpClient of Java %s fails every request in flight on an "
          + "HTTP/2 connection when a GOAWAY arrives, even GOAWAY(2^31-1, NO_ERROR) "
          + "(JDK-8335181, fixed in 17.0.17 and 24): expect its h2c client to fail.%n",
          Runtime.version());
    }
    SoakStats.KillWindows kills = new SoakStats.KillWindows();
    List<SoakClient> clients = new ArrayList<>();
    SoakCluster cluster = new SoakCluster(dir.resolve("cluster"), o.podEnvironment,
        // The chains live in this soak's own network namespace; the tag makes them unique
        // even to someone who reads every namespace's rules.
        o.scrapeInterval, Long.toString(System.nanoTime() % 100_000));
    Thread closeOnExit = new Thread(() -> {
      cluster.close();
      Processes.delete(dir);
    }, "soak-close");
    Runtime.getRuntime().addShutdownHook(closeOnExit);
    try {
      List<PodProcess> first = new ArrayList<>();
      for (int i = 0; i < o.pods; i++) {
        first.add(cluster.startPod());
      }
      for (PodProcess p : first) {
        cluster.join(p);
      }
      InetSocketAddress grpc = new InetSocketAddress(ScaleOutScenario.SERVICE_IP,
          SoakCluster.GRPC_PORT);
      URI http = URI.create("http://" + ScaleOutScenario.SERVICE_IP + ":" + SoakCluster.HTTP_PORT
          + "/hello");
      for (GrpcJavaSoakClient.Kind k : GrpcJavaSoakClient.Kind.values()) {
        clients.add(new GrpcJavaSoakClient(grpc, k, o.grpcChannels, o.grpcCalls, kills));
      }
      clients.add(ProcessSoakClients.grpcJs(script, ScaleOutScenario.SERVICE_IP,
          SoakCluster.GRPC_PORT, o.grpcJsCalls, kills));
      clients.add(HttpSoakClients.okHttp(http, true, o.httpConcurrency, kills));
      clients.add(HttpSoakClients.okHttp(http, false, o.httpConcurrency, kills));
      clients.add(HttpSoakClients.jdk(http, true, o.httpConcurrency, kills));
      clients.add(HttpSoakClients.jdk(http, false, o.httpConcurrency, kills));
      clients.add(ProcessSoakClients.curl(dir, http.toString(), o.curlLoops, o.curlBatch,
          kills));
      clients.add(ProcessSoakClients.wrk(dir, http.toString(), o.wrkConnections,
          o.wrkPaceMillis, o.wrkSegment, kills));

      long start = System.nanoTime();
      for (SoakClient client : clients) {
        client.start();
      }
      Duration termination = c.shutdownDelay().plus(c.maxConnectionAgeGrace()).plusSeconds(15);
      SoakEvents events = new SoakEvents(cluster, kills, o.eventGap, o.outage, termination,
          start, line -> out.println(line));
      Thread eventThread = new Thread(events, "soak-events");
      eventThread.start();

      long lastProgress = 0;
      long lastRequests = 0;
      for (int t = 1; ; t++) {
        long due = start + t * 1_000_000_000L;
        long left;
        while ((left = due - System.nanoTime()) > 0) {
          Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        cluster.poll(ms);
        long requests = total(clients, SoakStats::requests);
        boolean over = ms >= o.duration.toMillis() || (o.requests > 0 && requests >= o.requests);
        if (over || ms - lastProgress >= o.progress.toMillis()) {
          out.printf(Locale.ROOT, "[%5.1fs] %,d requests (%,.0f/s), %d failed, %d in flight at "
                  + "SIGKILL; %,d drains; %d pods; %s%n", ms / 1000.0, requests,
              (requests - lastRequests) * 1000.0 / Math.max(1, ms - lastProgress),
              total(clients, SoakStats::failed), total(clients, SoakStats::killed),
              cluster.drainedByReason().values().stream().mapToLong(Long::longValue).sum(),
              cluster.inService().size(), events.done());
          lastProgress = ms;
          lastRequests = requests;
        }
        if (over) {
          break;
        }
      }
      eventThread.interrupt();
      eventThread.join(Duration.ofSeconds(30).toMillis());
      out.println("stopping the clients; every request sent gets its outcome");
      for (SoakClient client : clients) {
        client.stop();
      }
      long elapsed = (System.nanoTime() - start) / 1_000_000;
      cluster.poll(elapsed);
      return report(o, clients, cluster, events, elapsed, out);
    } finally {
      for (SoakClient client : clients) {
        try {
          client.stop();
        } catch (Exception e) {
          // Stopped already, or the namespace ends it.
        }
      }
      cluster.close();
      Processes.delete(dir);
      try {
        Runtime.getRuntime().removeShutdownHook(closeOnExit);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running.
      }
    }
  }

  /**
   * Whether this JDK's HttpClient has JDK-8335181: on any GOAWAY it shuts the connection down
   * and fails its streams in flight, instead of finishing those the GOAWAY covers. Measured on
   * 17.0.15 (fails) and 17.0.21 (does not); fixed in 24 and backported to 17.0.17.
   */
  static boolean failsStreamsOnGoAway(Runtime.Version v) {
    return v.feature() == 17 && v.update() < 17;
  }

  private static long total(List<SoakClient> clients,
      java.util.function.ToLongFunction<SoakStats> f) {
    return clients.stream().flatMap(c -> c.stats().stream()).mapToLong(f).sum();
  }

  private static int report(Options o, List<SoakClient> clients, SoakCluster cluster,
      SoakEvents events, long elapsedMillis, PrintStream out) {
    List<SoakStats> all = clients.stream().flatMap(c -> c.stats().stream())
        .collect(Collectors.toList());
    long requests = all.stream().mapToLong(SoakStats::requests).sum();
    long failed = all.stream().mapToLong(SoakStats::failed).sum();
    long killed = all.stream().mapToLong(SoakStats::killed).sum();
    long connections = all.stream().mapToLong(SoakStats::connections).sum();
    Map<String, Long> drains = cluster.drainedByReason();
    long recycles = drains.values().stream().mapToLong(Long::longValue).sum();
    out.printf(Locale.ROOT, "%n== soak: %,d requests in %.0f s (%,.0f/s) ==%n%n", requests,
        elapsedMillis / 1000.0, requests * 1000.0 / elapsedMillis);
    long resent = all.stream().mapToLong(SoakStats::resent).sum();
    out.println("| client | protocol | requests | failed | failures by class "
        + "| in flight at SIGKILL | sent again, never sent | connections |");
    out.println("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |");
    for (SoakStats s : all) {
      out.printf(Locale.ROOT, "| %s | %s | %,d | %d | %s | %d | %d | %,d |%n", s.client,
          s.protocol, s.requests(), s.failed(), s.failuresByClass().isEmpty() ? "-"
              : s.failuresByClass().toString(), s.killed(), s.resent(), s.connections());
    }
    out.printf(Locale.ROOT, "| **all** | | **%,d** | **%d** | | %d | %d | %,d |%n%n", requests,
        failed, killed, resent, connections);
    for (SoakStats s : all) {
      for (String f : s.firstFailures()) {
        out.println("  " + s.client + ": " + f);
      }
    }
    out.printf("events: %s%n", events.done());
    out.printf(Locale.ROOT, "pods: %d started; drains %,d %s, held back %s, forced closes %d%n",
        cluster.histories().size(), recycles, drains, cluster.deferredByReason(),
        cluster.forced());
    out.println();
    out.println("| pod | requests | drains by reason | held back | forced |");
    out.println("| --- | ---: | --- | --- | ---: |");
    for (SoakCluster.PodHistory h : cluster.histories()) {
      out.printf(Locale.ROOT, "| %s | %,d | %s | %s | %d |%n", h.pod, h.requests,
          h.drainedByReason, h.deferredByReason, h.forced);
    }
    out.println();
    Budget budget = budget(o.config, cluster.histories());
    out.printf(Locale.ROOT, "drain budget (max_age, load, scale_out per pod, any 60 s): at most "
            + "%d drains/min against an allowance of %d (%.0f%% of it at the worst minute)%n",
        budget.worstDrains, budget.worstAllowance, budget.worstShare * 100);
    for (long[] outage : events.outages) {
      out.printf(Locale.ROOT, "prometheus down %.1f-%.1f s: load drains, all pods: %d in the "
              + "minute before, %d while down, %d in the minute after%n", outage[0] / 1000.0,
          outage[1] / 1000.0, loadDrains(cluster, outage[0] - 60_000, outage[0]),
          loadDrains(cluster, outage[0], outage[1]),
          loadDrains(cluster, outage[1], outage[1] + 60_000));
    }
    if (!events.notDrained.isEmpty()) {
      out.println("pods that did not exit after SIGTERM: " + events.notDrained);
    }
    boolean ok = failed == 0 && budget.worstShare <= 1.0 && events.notDrained.isEmpty();
    out.printf(Locale.ROOT, "result: mode=soak requests=%d failed=%d sigkill_in_flight=%d "
            + "resent=%d recycles=%d forced=%d connections=%d seconds=%d budget_share=%.2f "
            + "not_drained=%d%s %s%n", requests, failed, killed, resent, recycles,
        cluster.forced(),
        connections, elapsedMillis / 1000, budget.worstShare, events.notDrained.size(),
        events.done().entrySet().stream().map(e -> " " + e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining()),
        all.stream().map(s -> s.client.replace(' ', '_') + "=" + s.requests() + "/" + s.failed()
            + "/" + s.killed()).collect(Collectors.joining(" ")));
    return ok ? 0 : 1;
  }

  /** The worst minute of budgeted drains of any pod, against what its budget allowed. */
  static final class Budget {
    long worstDrains;
    long worstAllowance;
    double worstShare;
  }

  /**
   * For each pod and each 60 s window of its readings: the budgeted drains started in it, and
   * the budget's allowance over it, {@code max(maxDrainsPerSecond, ⌈fraction × open⌉)} for each
   * second, with the connections open as read.
   */
  static Budget budget(RecyclingConfig config, List<SoakCluster.PodHistory> histories) {
    Budget b = new Budget();
    for (SoakCluster.PodHistory h : histories) {
      List<long[]> s = h.samples;
      for (int i = 1; i < s.size(); i++) {
        double allowance = 0;
        int j = i;
        while (j > 0 && s.get(i)[0] - s.get(j - 1)[0] <= 60_000) {
          long seconds = s.get(j)[0] - s.get(j - 1)[0];
          allowance += Math.max(config.maxDrainsPerSecond(),
              Math.ceil(config.maxDrainingFraction() * s.get(j)[2])) * seconds / 1000.0;
          j--;
        }
        long drains = s.get(i)[1] - s.get(j)[1];
        double share = allowance == 0 ? 0 : drains / allowance;
        if (share > b.worstShare || b.worstAllowance == 0) {
          b.worstShare = Math.max(share, b.worstShare);
          b.worstDrains = Math.max(drains, b.worstDrains);
          b.worstAllowance = (long) allowance;
        }
      }
    }
    return b;
  }

  /** Load drains of every pod between these times (ms since the soak began). */
  private static long loadDrains(SoakCluster cluster, long from, long to) {
    long n = 0;
    for (SoakCluster.PodHistory h : cluster.histories()) {
      long before = -1;
      long last = -1;
      for (long[] s : h.samples) {
        if (s[0] <= from) {
          before = s[3];
        }
        if (s[0] <= to) {
          last = s[3];
        }
      }
      if (last >= 0) {
        n += last - Math.max(0, before);
      }
    }
    return n;
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(Locale.ROOT);
  }

  private static void usage(PrintStream out) {
    StringBuilder b = new StringBuilder("usage: java -jar respread-demo.jar soak");
    DEFAULTS.forEach((k, v) -> b.append(" [--").append(k).append(' ')
        .append(v.isEmpty() ? "<dir>" : v).append(']'));
    out.println(b);
  }
}
