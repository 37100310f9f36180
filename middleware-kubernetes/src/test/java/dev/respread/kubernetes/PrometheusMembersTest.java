package dev.respread.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.respread.ConnectionRecycler;
import dev.respread.LoadSnapshot;
import dev.respread.RecyclingConfig;
import dev.respread.internal.RecyclerMetrics;
import dev.respread.kubernetes.PrometheusProcess.Target;
import dev.respread.kubernetes.internal.ViewHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
 * The Prometheus view with its default preset, respread's own request counter, against a real
 * Prometheus that finds pods through file-based discovery, as Kubernetes discovery would, and
 * scrapes them every second. Each pod is a real {@link ConnectionRecycler} whose
 * {@code respread_requests_total} is served by Micrometer's Prometheus registry. The members
 * come from the targets that are up, or from EndpointSlices in fabric8's mock API server.
 *
 * <p>One Prometheus serves the class; each test has a Service of its own.
 */
class PrometheusMembersTest {
  static final String NS = "shop";
  static final Duration WINDOW = Duration.ofSeconds(5);

  @TempDir
  static Path dir;

  static PrometheusProcess prometheus;
  static final List<Target> targets = new ArrayList<>();

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<Target> mine = new ArrayList<>();

  @BeforeAll
  static void startPrometheus() throws Exception {
    prometheus = PrometheusProcess.withFileDiscovery(dir);
  }

  @AfterAll
  static void stopPrometheus() {
    if (prometheus != null) {
      prometheus.close();
    }
  }

  @AfterEach
  void close() throws Exception {
    targets.removeAll(mine);
    prometheus.targets(targets);
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  @Test
  void readsOwnAndMeanRequestRatesFromTheEnginesCounter() throws Exception {
    join(pod("rates-a", "rates").serve(30));
    join(pod("rates-b", "rates").serve(10));
    join(pod("rates-c", "rates").serve(5));

    PrometheusLoadView view = view("rates-a", "rates");

    awaitLoad(view, 3, 30, 15);
  }

  @Test
  void aPodWithoutRequestsIsAMemberFromItsFirstScrapeAndCountsAtZero() throws Exception {
    join(pod("idle-a", "idle").serve(20));
    join(pod("idle-b", "idle").serve(20));
    join(pod("idle-c", "idle"));

    PrometheusLoadView view = view("idle-a", "idle");

    // idle-c's counter exists at 0 from the start: it is a member before any request, and its
    // rate of 0 counts in the mean once it has two samples.
    awaitLoad(view, 3, 20, 40.0 / 3);
  }

  @Test
  void aTargetThatIsUpWithoutTheCounterIsAMemberLeftOutOfTheMean() throws Exception {
    join(pod("bare-a", "bare").serve(30));
    join(pod("bare-b", "bare").serve(10));
    // A pod whose recycler has not started yet: scraped and up, but no respread series.
    MetricsEndpoint bare = track(new MetricsEndpoint(
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    join(new Target(bare.target(), NS, "bare-c", "bare"));

    PrometheusLoadView view = view("bare-a", "bare");

    awaitLoad(view, 3, 30, 20);
  }

  @Test
  void aTargetAddedToTheDiscoveryFileBecomesAMemberWithinAFewScrapes() throws Exception {
    join(pod("join-a", "join").serve(20));
    join(pod("join-b", "join").serve(10));
    PrometheusLoadView view = view("join-a", "join");
    awaitLoad(view, 2, 20, 15);

    join(pod("join-c", "join"));

    Await.until(() -> view.latest().readyMembers() == 3, () -> state(view));
  }

  @Test
  void aTargetThatGoesDownIsNoLongerAMember() throws Exception {
    join(pod("leave-a", "leave").serve(20));
    join(pod("leave-b", "leave").serve(10));
    RecyclerPod leaving = join(pod("leave-c", "leave").serve(90));
    PrometheusLoadView view = view("leave-a", "leave");
    awaitLoad(view, 3, 20, 40);

    leaving.stopMetrics();

    awaitLoad(view, 2, 20, 15);
  }

  @Test
  void endpointSliceMembersLeaveOutANotReadyPodThatPrometheusStillScrapes() throws Exception {
    MockApiServer api = track(new MockApiServer());
    api.slice(NS, "slices", "slices-1", MockApiServer.ready("slices-a"),
        MockApiServer.ready("slices-b"), MockApiServer.endpoint("slices-c", false, false, false));
    join(pod("slices-a", "slices").serve(30));
    join(pod("slices-b", "slices").serve(10));
    join(pod("slices-c", "slices"));

    PrometheusLoadView fromApi = track(builder("slices-a", "slices")
        .members(MembersSource.KUBERNETES).kubernetesClient(api.client).build());
    PrometheusLoadView fromTargets = view("slices-a", "slices");

    awaitLoad(fromApi, 2, 30, 20);
    // Prometheus does not know readiness: the not-ready pod is up, so it is a member there.
    awaitLoad(fromTargets, 3, 30, 40.0 / 3);
  }

  @Test
  void endpointSliceMembersShowAScaleOutBeforePrometheusScrapesTheNewPods() throws Exception {
    MockApiServer api = track(new MockApiServer());
    api.slice(NS, "grow", "grow-1", MockApiServer.ready("grow-a"),
        MockApiServer.ready("grow-b"));
    join(pod("grow-a", "grow").serve(30));
    join(pod("grow-b", "grow").serve(10));
    PrometheusLoadView view = track(builder("grow-a", "grow").members(MembersSource.KUBERNETES)
        .kubernetesClient(api.client).build());
    awaitLoad(view, 2, 30, 20);

    // Ready endpoints of pods that Prometheus has never scraped: members at once, and not
    // counted as zero in the mean.
    api.slice(NS, "grow", "grow-2", MockApiServer.ready("grow-c"),
        MockApiServer.ready("grow-d"));

    awaitLoad(view, 4, 30, 20);
  }

  @Test
  void inAClusterTheEnvironmentComposesEndpointSliceMembersWithPrometheusLoad()
      throws Exception {
    MockApiServer api = track(new MockApiServer());
    track(api.autoConfigured());
    api.slice(NS, "env", "env-1", MockApiServer.ready("env-a"), MockApiServer.ready("env-b"),
        MockApiServer.endpoint("env-c", false, false, false));
    join(pod("env-a", "env").serve(30));
    join(pod("env-b", "env").serve(10));
    join(pod("env-c", "env"));
    Map<String, String> env = Map.of(
        "KUBERNETES_SERVICE_HOST", "10.96.0.1",
        "RESPREAD_LOAD_SOURCE", "prometheus",
        "RESPREAD_LOAD_INTERVAL", "100ms",
        "RESPREAD_PROMETHEUS_URL", prometheus.url.toString(),
        "RESPREAD_PROMETHEUS_WINDOW", "5s",
        "RESPREAD_PROMETHEUS_INTERVAL", "200ms",
        "POD_NAME", "env-a",
        "POD_NAMESPACE", NS,
        "RESPREAD_SERVICE_NAME", "env");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    ConnectionRecycler recycler = track(ConnectionRecycler.builder(
        RecyclingConfig.fromEnvironment(env)).environment(env).meterRegistry(registry)
        .name("env").build());

    Gauge members = registry.get(RecyclerMetrics.LOAD_MEMBERS).gauge();
    Gauge ratio = registry.get(RecyclerMetrics.LOAD_RATIO).gauge();
    // Two ready members at 30 and 10 requests/s: the not-ready env-c is left out.
    Await.until(() -> members.value() == 2 && Math.abs(ratio.value() - 1.5) < 0.15,
        () -> "members=" + members.value() + " ratio=" + ratio.value() + '\n'
            + prometheus.log());
    assertThat(registry.get(ViewHealth.STATE).tags("source", "prometheus", "state", "ok")
        .gauge().value()).isEqualTo(1.0);
  }

  private RecyclerPod pod(String name, String service) {
    return track(new RecyclerPod(name, service));
  }

  /** Adds {@code pod} to the discovery file. */
  private RecyclerPod join(RecyclerPod pod) throws Exception {
    join(new Target(pod.target(), NS, pod.pod, pod.service));
    return pod;
  }

  private void join(Target target) throws Exception {
    mine.add(target);
    targets.add(target);
    prometheus.targets(targets);
  }

  private PrometheusLoadView view(String pod, String service) {
    return track(builder(pod, service).members(MembersSource.PROMETHEUS).build());
  }

  private static PrometheusLoadView.Builder builder(String pod, String service) {
    return PrometheusLoadView.builder(prometheus.url).podName(pod).namespace(NS)
        .serviceName(service).window(WINDOW).interval(Duration.ofMillis(200))
        .timeout(Duration.ofSeconds(2));
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(0, closeable);
    return closeable;
  }

  /** Waits for {@code members}, and own and mean within 10% of the rates the pods serve. */
  private static void awaitLoad(PrometheusLoadView view, int members, double own, double mean) {
    Await.until(() -> near(view.latest(), members, own, mean), () -> state(view));
  }

  private static boolean near(LoadSnapshot s, int members, double own, double mean) {
    if (!s.hasLoad() || s.readyMembers() != members) {
      return false;
    }
    try {
      assertThat(s.ownLoad()).isCloseTo(own, within(own * 0.1));
      assertThat(s.meanLoad()).isCloseTo(mean, within(mean * 0.1));
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  private static String state(PrometheusLoadView view) {
    return view.latest() + " " + view.health() + '\n' + view.query() + '\n' + prometheus.log();
  }
}
