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
  /** The Service's virtual IP under iptables: loopback, inside the demo's own namespace. */
  static final String SERVICE_IP = "127.0.0.100";
  static final int SERVICE_PORT = 8080;

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
  final Map<String, String> environment;

  /**
   * @param iptables the Service is kube-proxy's iptables rules in this network namespace
   *     ({@link IptablesService}) rather than the in-process {@link ServiceProxy}
   */
  ScaleOutScenario(int pods, int scaleTo, int clients, int minRate, int maxRate, Duration warmup,
      Duration run, Duration fixedAge, Duration grace, long seed, boolean iptables,
      Map<String, String> environment) {
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
    this.environment = Map.copyOf(environment);
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
    RecyclingConfig config = mode.config(fixedAge, grace, environment);
    List<Second> timeline = new ArrayList<>();
    int warmupSeconds = (int) warmup.getSeconds();
    int seconds = warmupSeconds + (int) run.getSeconds();
    ServiceBalancer service = iptables
        ? new IptablesService(new InetSocketAddress(SERVICE_IP, SERVICE_PORT))
        : new ServiceProxy(seed);
    try (LocalCluster cluster = new LocalCluster(config, mode.usesLoadView(), service)) {
      cluster.scaleTo(pods);
      ClientFleet fleet = new ClientFleet(cluster.serviceAddress(), rates());
      try {
        long start = System.nanoTime();
        for (int t = 1; t <= seconds; t++) {
          sleepUntil(start + t * 1_000_000_000L);
          Second s = new Second(t, cluster.tick());
          timeline.add(s);
          onSecond.accept(s);
          if (t == warmupSeconds) {
            cluster.scaleTo(scaleTo);
          }
        }
        fleet.stop();
      } finally {
        fleet.close();
      }
      Map<String, Long> drains = new TreeMap<>();
      long forced = 0;
      for (Pod p : cluster.pods()) {
        p.drains().forEach((reason, n) -> drains.merge(reason, n, Long::sum));
        forced += p.forcedCloses();
      }
      return new Result(mode, this, timeline, fleet.succeeded(), fleet.failed(),
          fleet.failuresByCode(), fleet.reconnects(), drains, forced);
    }
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
    }
  }

  /** What each pod served in one second of the run (pods not started yet are absent). */
  static final class Second {
    final int t;
    final long[] perPod;

    Second(int t, long[] perPod) {
      this.t = t;
      this.perPod = perPod;
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
    final Map<String, Long> drainsByReason;
    final long forcedCloses;

    Result(Mode mode, ScaleOutScenario scenario, List<Second> timeline, long succeeded,
        long failed, Map<String, Long> failuresByCode, long reconnects,
        Map<String, Long> drainsByReason, long forcedCloses) {
      this.mode = mode;
      this.scenario = scenario;
      this.timeline = List.copyOf(timeline);
      this.succeeded = succeeded;
      this.failed = failed;
      this.failuresByCode = Map.copyOf(failuresByCode);
      this.reconnects = reconnects;
      this.drainsByReason = Map.copyOf(drainsByReason);
      this.forcedCloses = forcedCloses;
    }

    long drains() {
      return drainsByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The seconds at the end of the run over which the outcome is judged: a third of the run. */
    private List<Second> tail() {
      int n = Math.max(1, (int) scenario.run.getSeconds() / 3);
      return timeline.subList(timeline.size() - n, timeline.size());
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
  }
}
