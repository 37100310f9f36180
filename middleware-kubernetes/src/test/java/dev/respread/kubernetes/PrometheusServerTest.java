package dev.respread.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.respread.ConnectionRecycler;
import dev.respread.LoadSnapshot;
import dev.respread.RecyclingConfig;
import dev.respread.internal.RecyclerMetrics;
import dev.respread.kubernetes.internal.FailureCause;
import dev.respread.kubernetes.internal.ViewHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus view against a real Prometheus that scrapes three pods of Service {@code web}
 * (and one pod of another Service) every second. The pods serve Micrometer registries whose
 * request counters grow at 30, 10 and 5 requests/s and whose CPU usage is 0.6, 0.3 and 0.3, so
 * the view must read own = 30 and mean = 15 requests/s, or own = 0.6 and mean = 0.4 CPU.
 */
class PrometheusServerTest {
  static final Duration WINDOW = Duration.ofSeconds(5);

  @TempDir
  static Path dir;

  static final List<PodEndpoint> pods = new ArrayList<>();
  static PrometheusProcess prometheus;

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void startPrometheus() throws Exception {
    pods.add(new PodEndpoint("web-a", "web", 30, 0.6));
    pods.add(new PodEndpoint("web-b", "web", 10, 0.3));
    pods.add(new PodEndpoint("web-c", "web", 5, 0.3));
    pods.add(new PodEndpoint("other-a", "other", 500, 0.9));
    prometheus = PrometheusProcess.start(dir.resolve("shared"), pods);
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    if (prometheus != null) {
      prometheus.close();
    }
    pods.forEach(PodEndpoint::close);
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  @Test
  void requestsPresetReadsOwnAndMeanRequestRates() {
    PrometheusLoadView view = view(prometheus, PrometheusLoadView.Metric.REQUESTS);

    // Rates within 5%: Prometheus stamps a sample when the scrape starts, the counter is read
    // a moment later.
    Await.until(() -> near(view.latest(), 30, 15, 3, 0.05),
        () -> view.latest() + " " + view.health() + '\n' + prometheus.log());
  }

  @Test
  void cpuPresetReadsOwnAndMeanCpu() {
    PrometheusLoadView view = view(prometheus, PrometheusLoadView.Metric.CPU);

    Await.until(() -> near(view.latest(), 0.6, 0.4, 3, 1e-9),
        () -> view.latest() + " " + view.health() + '\n' + prometheus.log());
  }

  @Test
  void aPodThatStopsBeingScrapedLeavesMembersAndMean() throws Exception {
    PodEndpoint ghost = new PodEndpoint("web-d", "web", 0, 0.0);
    List<PodEndpoint> withGhost = new ArrayList<>(pods);
    withGhost.add(ghost);
    try {
      prometheus.reload(withGhost);
      PrometheusLoadView view = view(prometheus, PrometheusLoadView.Metric.REQUESTS);
      Await.until(() -> near(view.latest(), 30, 11.25, 4, 0.05),
          () -> view.latest() + " " + view.health());

      ghost.close();

      Await.until(() -> near(view.latest(), 30, 15, 3, 0.05),
          () -> view.latest() + " " + view.health());
    } finally {
      ghost.close();
      prometheus.reload(pods);
    }
  }

  /** docs/load-views.md's mean query for the requests preset joined with kube-state-metrics. */
  static final String READY_MEAN = "avg(" + readyPods() + ")";
  /** docs/load-views.md's members query for the requests preset joined with kube-state-metrics. */
  static final String READY_MEMBERS = "count(" + readyPods() + ")";

  private static String readyPods() {
    return "sum by (pod) (rate(http_server_requests_seconds_count{namespace=\"{namespace}\","
        + "service=\"{service}\"}[{window}]))\n"
        + "  and on (pod) (max by (pod) (up{namespace=\"{namespace}\",service=\"{service}\"}) "
        + "== 1)\n"
        + "  and on (pod) (kube_pod_status_ready{namespace=\"{namespace}\",condition=\"true\"} "
        + "== 1)\n"
        + "  unless on (pod) kube_pod_deletion_timestamp{namespace=\"{namespace}\"}";
  }

  @Test
  void aNotReadyPodCountsInTheDefaultMeanButNotWithTheKubeStateMetricsJoin() throws Exception {
    PodEndpoint notReady = new PodEndpoint("web-d", "web", 0, 0.0, false);
    List<PodEndpoint> withNotReady = new ArrayList<>(pods);
    withNotReady.add(notReady);
    try {
      prometheus.reload(withNotReady);
      PrometheusLoadView defaults = view(prometheus, PrometheusLoadView.Metric.REQUESTS);
      PrometheusLoadView joined = track(PrometheusLoadView.builder(prometheus.url)
          .metric(PrometheusLoadView.Metric.REQUESTS).podName("web-a").namespace("shop").serviceName("web").window(WINDOW)
          .meanQuery(READY_MEAN).membersQuery(READY_MEMBERS).interval(Duration.ofMillis(200))
          .timeout(Duration.ofSeconds(2)).build());

      // Prometheus does not know readiness: the not-ready pod is up, so by default it is a
      // member with no requests, and drags the mean from 15 down to 11.25.
      Await.until(() -> near(defaults.latest(), 30, 11.25, 4, 0.05),
          () -> defaults.latest() + " " + defaults.health());
      Await.until(() -> near(joined.latest(), 30, 15, 3, 0.05),
          () -> joined.latest() + " " + joined.health() + '\n' + prometheus.log());
    } finally {
      notReady.close();
      prometheus.reload(pods);
    }
  }

  @Test
  void stoppingPrometheusMidTestFailsSoftAndTheEngineFallsBack() throws Exception {
    PrometheusProcess own = PrometheusProcess.start(dir.resolve("stopped"), pods);
    closeables.add(0, own);
    Map<String, String> env = Map.of(
        "RESPREAD_LOAD_SOURCE", "prometheus",
        "RESPREAD_LOAD_INTERVAL", "100ms",
        "RESPREAD_LOAD_MAX_STALENESS", "2s",
        "RESPREAD_PROMETHEUS_URL", own.url.toString(),
        "RESPREAD_PROMETHEUS_METRIC", "cpu",
        "RESPREAD_PROMETHEUS_INTERVAL", "200ms",
        "RESPREAD_PROMETHEUS_TIMEOUT", "1s",
        "POD_NAME", "web-a",
        "POD_NAMESPACE", "shop",
        "RESPREAD_SERVICE_NAME", "web");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ConnectionRecycler recycler = ConnectionRecycler.builder(RecyclingConfig.fromEnvironment(env))
        .environment(env).meterRegistry(registry).name("prom").build();
    closeables.add(0, recycler);
    Gauge usable = registry.get(RecyclerMetrics.LOAD_VIEW_USABLE).gauge();
    Gauge ratio = registry.get(RecyclerMetrics.LOAD_RATIO).gauge();
    Await.until(() -> usable.value() == 1.0 && Math.abs(ratio.value() - 1.5) < 1e-9,
        () -> "usable=" + usable.value() + " ratio=" + ratio.value() + '\n' + own.log());

    own.close();

    Await.until(() -> usable.value() == 0.0, () -> "usable=" + usable.value());
    // The view created from the environment reports to the recycler's registry.
    assertThat(registry.get(ViewHealth.STATE).tags("source", "prometheus", "state", "failing")
        .gauge().value()).isEqualTo(1.0);
    assertThat(registry.get(ViewHealth.FAILURES)
        .tags("source", "prometheus", "cause", FailureCause.UNREACHABLE.tagValue()).counter()
        .count()).isGreaterThanOrEqualTo(1.0);
  }

  private PrometheusLoadView view(PrometheusProcess p, PrometheusLoadView.Metric metric) {
    PrometheusLoadView view = PrometheusLoadView.builder(p.url).metric(metric).podName("web-a")
        .namespace("shop").serviceName("web").window(WINDOW)
        .interval(Duration.ofMillis(200)).timeout(Duration.ofSeconds(2)).build();
    return track(view);
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(0, closeable);
    return closeable;
  }

  private static boolean near(LoadSnapshot s, double own, double mean, int members,
      double tolerance) {
    if (!s.hasLoad() || s.readyMembers() != members) {
      return false;
    }
    try {
      assertThat(s.ownLoad()).isCloseTo(own, within(own * tolerance + 1e-12));
      assertThat(s.meanLoad()).isCloseTo(mean, within(mean * tolerance + 1e-12));
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }
}
