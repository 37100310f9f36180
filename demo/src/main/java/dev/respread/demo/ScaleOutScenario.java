package dev.respread.demo;

import static java.util.Objects.requireNonNull;

import dev.respread.RecyclingConfig;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The case respread exists for: pinned gRPC clients on a few pods, then the autoscaler adds pods.
 * The cluster starts with {@code pods} pods and {@code clients} clients of uneven rates; after
 * {@code warmup} it scales to {@code scaleTo} pods and runs for {@code run} more. Every second it
 * records what each pod served.
 */
final class ScaleOutScenario {
  /** A pod is balanced when no pod serves more than this times the mean. */
  static final double BALANCED = 1.25;
  /** The stricter balance of the benchmarks: max/mean at most this, held {@link #HOLD} s. */
  static final double HELD_BALANCE = 1.2;
  static final int HOLD = 6;
  /** The Service's virtual IP under iptables: loopback, inside the demo's own namespace. */
  static final String SERVICE_IP = "127.0.0.100";
  static final int SERVICE_PORT = 8080;
  /** kube-apiserver's recommended {@code --goaway-chance}, the goaway-chance mode's default. */
  static final double DEFAULT_GOAWAY_CHANCE = 0.02;
  /** The most of the warm-up whose calls the latency figures leave out. */
  static final Duration LATENCY_AFTER = Duration.ofSeconds(5);
  /** How often client-side clients resolve the headless Service: a DNS TTL of 30 s. */
  static final Duration DEFAULT_REFRESH = Duration.ofSeconds(30);

  final int pods;
  final int scaleTo;
  final int clients;
  final int minRate;
  final int maxRate;
  final Duration warmup;
  final Duration run;
  final Duration fixedAge;
  final Duration grace;
  final long seed;
  final boolean iptables;
  final View view;
  final Duration scrapeInterval;
  final Map<String, String> environment;
  /** The goaway-chance mode's probability that a call ends its connection. */
  final double goAwayChance;
  /** How often the client-side mode's clients resolve the headless Service again. */
  final Duration refresh;

  /** Where the pods run and where their load view comes from. */
  enum View {
    /** Pods in this JVM, each told its exact rate of the last second and the mean. */
    IN_PROCESS("in-process"),
    /**
     * Pods as JVMs of their own, configured by {@code RESPREAD_*} variables, with the Prometheus
     * view over a real Prometheus that scrapes them ({@link ProcessCluster}).
     */
    PROMETHEUS("prometheus");

    private final String label;

    View(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }

    static View of(String label) {
      for (View v : values()) {
        if (v.label.equals(label)) {
          return v;
        }
      }
      throw new IllegalArgumentException(
          String.format("--view: \"%s\" (expected: in-process or prometheus)", label));
    }
  }

  /**
   * @param iptables the Service is kube-proxy's iptables rules in this network namespace
   *     ({@link IptablesService}) rather than the in-process {@link ServiceProxy}
   * @param scrapeInterval Prometheus' scrape interval, for {@link View#PROMETHEUS}
   */
  ScaleOutScenario(int pods, int scaleTo, int clients, int minRate, int maxRate, Duration warmup,
      Duration run, Duration fixedAge, Duration grace, long seed, boolean iptables, View view,
      Duration scrapeInterval, Map<String, String> environment) {
    this(pods, scaleTo, clients, minRate, maxRate, warmup, run, fixedAge, grace, seed, iptables,
        view, scrapeInterval, environment, DEFAULT_GOAWAY_CHANCE, DEFAULT_REFRESH);
  }

  /**
   * @param goAwayChance the goaway-chance mode's probability, in (0, 1]
   * @param refresh how often the client-side mode's clients resolve the Service again
   */
  ScaleOutScenario(int pods, int scaleTo, int clients, int minRate, int maxRate, Duration warmup,
      Duration run, Duration fixedAge, Duration grace, long seed, boolean iptables, View view,
      Duration scrapeInterval, Map<String, String> environment, double goAwayChance,
      Duration refresh) {
    check(pods >= 1, "pods: %s (expected: >= 1)", pods);
    check(scaleTo >= pods, "scaleTo: %s (expected: >= pods, %s)", scaleTo, pods);
    check(clients >= 1, "clients: %s (expected: >= 1)", clients);
    check(minRate >= 1 && maxRate >= minRate,
        "rates: %s to %s (expected: 1 <= min <= max)", minRate, maxRate);
    check(warmup.getSeconds() >= 1, "warmup: %s (expected: >= 1s)", warmup);
    check(run.getSeconds() >= 2, "run: %s (expected: >= 2s)", run);
    this.pods = pods;
    this.scaleTo = scaleTo;
    this.clients = clients;
    this.minRate = minRate;
    this.maxRate = maxRate;
    this.warmup = warmup;
    this.run = run;
    this.fixedAge = requireNonNull(fixedAge, "fixedAge");
    this.grace = requireNonNull(grace, "grace");
    this.seed = seed;
    this.iptables = iptables;
    this.view = requireNonNull(view, "view");
    this.scrapeInterval = requireNonNull(scrapeInterval, "scrapeInterval");
    check(scrapeInterval.toMillis() >= 100, "scrapeInterval: %s (expected: >= 100ms)",
        scrapeInterval);
    this.environment = Map.copyOf(environment);
    check(goAwayChance > 0 && goAwayChance <= 1, "goAwayChance: %s (expected: > 0 and <= 1)",
        goAwayChance);
    this.goAwayChance = goAwayChance;
    this.refresh = requireNonNull(refresh, "refresh");
    check(refresh.toMillis() >= 100, "refresh: %s (expected: >= 100ms)", refresh);
  }

  private static void check(boolean ok, String format, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  /** The clients' rates in calls per second, the same for every mode of a seed. */
  int[] rates() {
    Random random = new Random(seed);
    int[] rates = new int[clients];
    for (int i = 0; i < clients; i++) {
      rates[i] = minRate + random.nextInt(maxRate - minRate + 1);
    }
    return rates;
  }

  /**
   * Runs the scenario in {@code mode}, calling {@code onSecond} after each second.
   *
   * @throws dev.respread.InvalidConfigurationException if a {@code RESPREAD_*} variable is bad
   */
  Result run(Mode mode, Consumer<Second> onSecond) throws Exception {
    Map<String, String> podEnvironment =
        new TreeMap<>(mode.environment(fixedAge, grace, environment));
    RecyclingConfig config = RecyclingConfig.fromEnvironment(podEnvironment);
    double chance = mode.goAwayChance(goAwayChance);
    if (chance > 0) {
      podEnvironment.put(GoAwayChance.VARIABLE, Double.toString(chance));
    }
    List<Second> timeline = new ArrayList<>();
    int warmupSeconds = (int) warmup.getSeconds();
    int seconds = warmupSeconds + (int) run.getSeconds();
    ServiceBalancer service = balancer(mode);
    Cluster.Drains beforeScaleOut = null;
    try (Cluster cluster = view == View.PROMETHEUS
        ? new ProcessCluster(service, podEnvironment, mode.usesLoadView(), scaleTo,
            scrapeInterval)
        : new LocalCluster(config, mode.usesLoadView(), service, chance)) {
      cluster.scaleTo(pods);
      ClientFleet fleet = new ClientFleet(service::channel, rates(), latencyAfter());
      double proxyCpuSeconds;
      try {
        long start = System.nanoTime();
        for (int t = 1; t <= seconds; t++) {
          sleepUntil(start + t * 1_000_000_000L);
          Second s = cluster.tick(t);
          timeline.add(s);
          onSecond.accept(s);
          if (t == warmupSeconds) {
            beforeScaleOut = cluster.drains();
            cluster.scaleTo(scaleTo);
          }
        }
        fleet.stop();
        proxyCpuSeconds = service.cpuSeconds();
      } finally {
        fleet.close();
      }
      return new Result(mode, this, timeline, fleet.succeeded(), fleet.failed(),
          fleet.failuresByCode(), fleet.reconnects(), fleet.latency(), cluster.drains(),
          beforeScaleOut, proxyCpuSeconds);
    }
  }

  /**
   * How long after the clients start their calls count in the latency figures: half the warm-up,
   * at most {@link #LATENCY_AFTER}. The first mode of a run otherwise carries the JVM's own
   * warm-up, hundreds of milliseconds on a 2-core machine, in its p99.
   */
  Duration latencyAfter() {
    Duration half = warmup.dividedBy(2);
    return half.compareTo(LATENCY_AFTER) < 0 ? half : LATENCY_AFTER;
  }

  /**
   * What the clients dial in {@code mode}: the Service (kube-proxy's iptables rules, or the
   * in-process proxy), the pods themselves through a headless Service, or an L7 proxy, which
   * takes the Service's address under iptables.
   */
  private ServiceBalancer balancer(Mode mode) throws Exception {
    InetSocketAddress vip = new InetSocketAddress(SERVICE_IP, SERVICE_PORT);
    if (mode.clientSide()) {
      return new HeadlessService(refresh, seed);
    }
    if (mode.l7Proxy()) {
      return new HaproxyService(iptables ? vip : null);
    }
    return iptables ? new IptablesService(vip) : new ServiceProxy(seed);
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }

  /**
   * What each pod in the Service served in one second of the run (pods not in it yet are
   * absent), and what the pods' recyclers read from their load view.
   */
  static final class Second {
    final int t;
    final long[] perPod;
    /** Each pod's own load over the mean, as its recycler last read it; NaN when unknown. */
    final double[] loadRatio;
    /** The fewest members any pod's recycler last read; 0 without a view. */
    final int members;

    Second(int t, long[] perPod, double[] loadRatio, int members) {
      this.t = t;
      this.perPod = perPod;
      this.loadRatio = loadRatio;
      this.members = members;
    }

    /** The busiest pod's calls over the mean of the pods; 1 when nothing was served. */
    double maxOverMean() {
      long total = 0;
      long max = 0;
      for (long n : perPod) {
        total += n;
        max = Math.max(max, n);
      }
      return total == 0 ? 1.0 : max * perPod.length / (double) total;
    }
  }

  /** The outcome of one mode. */
  static final class Result {
    final Mode mode;
    final ScaleOutScenario scenario;
    final List<Second> timeline;
    final long succeeded;
    final long failed;
    final Map<String, Long> failuresByCode;
    final long reconnects;
    /**
     * The latency of every call sent after {@link ScaleOutScenario#latencyAfter()}, as the
     * clients measured it.
     */
    final LatencyHistogram latency;
    final Map<String, Long> drainsByReason;
    final Map<String, Long> deferredByReason;
    final long forcedCloses;
    /** Scale-out drains before there was a scale-out: a false one, such as a view warming up. */
    final long scaleOutDrainsBeforeScaleOut;
    /** CPU seconds the proxy's own process used over the run; NaN without one. */
    final double proxyCpuSeconds;

    Result(Mode mode, ScaleOutScenario scenario, List<Second> timeline, long succeeded,
        long failed, Map<String, Long> failuresByCode, long reconnects, LatencyHistogram latency,
        Cluster.Drains drains, Cluster.Drains beforeScaleOut) {
      this(mode, scenario, timeline, succeeded, failed, failuresByCode, reconnects, latency,
          drains, beforeScaleOut, Double.NaN);
    }

    Result(Mode mode, ScaleOutScenario scenario, List<Second> timeline, long succeeded,
        long failed, Map<String, Long> failuresByCode, long reconnects, LatencyHistogram latency,
        Cluster.Drains drains, Cluster.Drains beforeScaleOut, double proxyCpuSeconds) {
      this.mode = mode;
      this.scenario = scenario;
      this.timeline = List.copyOf(timeline);
      this.succeeded = succeeded;
      this.failed = failed;
      this.failuresByCode = Map.copyOf(failuresByCode);
      this.reconnects = reconnects;
      this.latency = latency;
      this.drainsByReason = new TreeMap<>(drains.byReason);
      this.deferredByReason = new TreeMap<>(drains.deferredByReason);
      this.forcedCloses = drains.forcedCloses;
      this.scaleOutDrainsBeforeScaleOut =
          beforeScaleOut == null ? 0 : beforeScaleOut.byReason.getOrDefault("scale_out", 0L);
      this.proxyCpuSeconds = proxyCpuSeconds;
    }

    long drains() {
      return drainsByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    long calls() {
      return succeeded + failed;
    }

    /** Calls per second over the whole run, warm-up included. */
    double callsPerSecond() {
      return timeline.isEmpty() ? 0 : calls() / (double) timeline.size();
    }

    /** Client reconnects per minute over the whole run, warm-up included. */
    double reconnectsPerMinute() {
      return timeline.isEmpty() ? 0 : reconnects * 60.0 / timeline.size();
    }

    /** The {@code q} quantile of every call's latency, in milliseconds. */
    double latencyMillis(double q) {
      return latency.percentileMillis(q);
    }

    /** The seconds at the end of the run over which the outcome is judged: a third of the run. */
    private List<Second> tail() {
      int n = tailSeconds();
      return timeline.subList(timeline.size() - n, timeline.size());
    }

    /** How many seconds at the end of the run the outcome is judged over. */
    int tailSeconds() {
      return Math.max(1, (int) scenario.run.getSeconds() / 3);
    }

    /** The pods added by the scale-out: their share of all calls at the end of the run. */
    double newPodsShare() {
      long added = 0;
      long total = 0;
      for (Second s : tail()) {
        for (int i = 0; i < s.perPod.length; i++) {
          total += s.perPod[i];
          if (i >= scenario.pods) {
            added += s.perPod[i];
          }
        }
      }
      return total == 0 ? 0 : added / (double) total;
    }

    /** The least busy pod's calls over the mean of the pods, over the end of the run. */
    double minOverMeanAtEnd() {
      List<Second> tail = tail();
      long[] sums = new long[tail.get(tail.size() - 1).perPod.length];
      for (Second s : tail) {
        for (int i = 0; i < s.perPod.length && i < sums.length; i++) {
          sums[i] += s.perPod[i];
        }
      }
      long total = 0;
      long min = Long.MAX_VALUE;
      for (long n : sums) {
        total += n;
        min = Math.min(min, n);
      }
      return total == 0 ? 1.0 : min * sums.length / (double) total;
    }

    /** The mean of max/mean at the end of the run. */
    double maxOverMeanAtEnd() {
      return tail().stream().mapToDouble(Second::maxOverMean).average().orElse(1.0);
    }

    /**
     * Seconds from the scale-out until max/mean stays at or below {@link #BALANCED} for the rest
     * of the run, or -1 if it never does.
     */
    int secondsToBalance() {
      int warmup = (int) scenario.warmup.getSeconds();
      int balancedFrom = -1;
      for (Second s : timeline) {
        if (s.t <= warmup) {
          continue;
        }
        if (s.maxOverMean() > BALANCED) {
          balancedFrom = -1;
        } else if (balancedFrom < 0) {
          balancedFrom = s.t;
        }
      }
      // Balanced only in the last second is not balanced yet.
      return balancedFrom < 0 || balancedFrom == timeline.size() ? -1 : balancedFrom - warmup;
    }

    /**
     * Seconds from the scale-out until every pod's load view counts the new pods, or -1 if no
     * view ever does (a mode without one).
     */
    int secondsToMembers() {
      int warmup = (int) scenario.warmup.getSeconds();
      for (Second s : timeline) {
        if (s.t > warmup && s.members >= scenario.scaleTo) {
          return s.t - warmup;
        }
      }
      return -1;
    }

    /**
     * Seconds from the moment the pods' views count the new pods (from the scale-out in a mode
     * without a view) until the first of {@link #HOLD} seconds in a row with max/mean at most
     * {@link #HELD_BALANCE}, or -1 if there are none.
     */
    int secondsToHeldBalance() {
      int from = (int) scenario.warmup.getSeconds() + Math.max(0, secondsToMembers());
      int run = 0;
      for (Second s : timeline) {
        if (s.t <= from) {
          continue;
        }
        run = s.maxOverMean() <= HELD_BALANCE ? run + 1 : 0;
        if (run == HOLD) {
          return s.t - HOLD + 1 - from;
        }
      }
      return -1;
    }
  }
}
