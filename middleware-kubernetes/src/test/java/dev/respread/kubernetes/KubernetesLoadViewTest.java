package dev.respread.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.respread.LoadSnapshot;
import dev.respread.kubernetes.internal.FailureCause;
import dev.respread.kubernetes.internal.InformerMembers;
import dev.respread.kubernetes.internal.ViewHealth;
import dev.respread.kubernetes.internal.ViewHealth.State;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes view against fabric8's mock API server in CRUD mode, with real EndpointSlice,
 * Pod and PodMetrics objects. Failures (403, 500, slow answers) are injected with the mock
 * server's expectations, which it answers before falling back to its CRUD store. Each test has a
 * {@link MockApiServer} of its own.
 */
class KubernetesLoadViewTest {
  static final String NS = "shop";
  static final String SERVICE = "web";
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  static final String METRICS_PATH = "/apis/metrics.k8s.io/v1beta1/namespaces/" + NS + "/pods";

  static MockApiServer api;
  static KubernetesMockServer server;
  static KubernetesClient client;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final AtomicLong ticker = new AtomicLong(7_000_000_000_000L);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void startMockApiServer() {
    api = new MockApiServer();
    server = api.server;
    client = api.client;
  }

  @AfterEach
  void close() throws Exception {
    try {
      for (AutoCloseable c : closeables) {
        c.close();
      }
    } finally {
      api.close();
    }
  }

  @Test
  void comparesOwnLoadWithTheMeanOfTheReadyMembers() {
    twoReadyPodsAt600mAnd200m();

    KubernetesLoadView view = view(client);

    LoadSnapshot s = awaitLoad(view, 2);
    assertThat(s.ownLoad()).isCloseTo(0.6, within(1e-9));
    assertThat(s.meanLoad()).isCloseTo(0.4, within(1e-9));
  }

  @Test
  void seesAScaleOutAsMemberGrowth() {
    twoReadyPodsAt600mAnd200m();
    KubernetesLoadView view = view(client);
    awaitLoad(view, 2);

    slice("web-2", ready("web-c"), ready("web-d"));

    Await.until(() -> view.latest().readyMembers() == 4, () -> view.latest().toString());
  }

  @Test
  void leavesNotReadyAndTerminatingEndpointsOutOfMembersAndMean() {
    slice("web-1", ready("web-a"), ready("web-b"),
        endpoint("web-starting", false, false, false),
        endpoint("web-stopping", false, true, true));
    metrics("web-a", "600m", NOW);
    metrics("web-b", "200m", NOW);
    // Ghosts with metrics: counted, they would pull the mean down to 0.2.
    metrics("web-starting", "0", NOW);
    metrics("web-stopping", "0", NOW);

    LoadSnapshot s = awaitLoad(view(client), 2);

    assertThat(s.meanLoad()).isCloseTo(0.4, within(1e-9));
  }

  @Test
  void countsAMemberWithoutMetricsButLeavesItOutOfTheMean() {
    slice("web-1", ready("web-a"), ready("web-b"), ready("web-new"));
    metrics("web-a", "600m", NOW);
    metrics("web-b", "200m", NOW);

    LoadSnapshot s = awaitLoad(view(client), 3);

    assertThat(s.meanLoad()).isCloseTo(0.4, within(1e-9));
    assertThat(s.reportingMembers()).isEqualTo(2);
  }

  @Test
  void sumsContainersAndStampsLoadWithTheOldestSampleInTheTickerTimeBase() throws Exception {
    slice("web-1", ready("web-a"), ready("web-b"));
    client.resources(PodMetrics.class).inNamespace(NS).resource(new PodMetricsBuilder()
        .withNewMetadata().withName("web-a").withNamespace(NS).endMetadata()
        .withTimestamp(NOW.minusSeconds(10).toString())
        .withWindow(io.fabric8.kubernetes.api.model.Duration.parse("25s"))
        .addNewContainer().withName("app").addToUsage("cpu", new Quantity("500m")).endContainer()
        .addNewContainer().withName("sidecar").addToUsage("cpu", new Quantity("100000000n"))
        .endContainer().build()).create();
    metrics("web-b", "200m", NOW.minusSeconds(20));

    KubernetesLoadView view = view(client);

    LoadSnapshot s = awaitLoad(view, 2);
    assertThat(s.ownLoad()).isCloseTo(0.6, within(1e-9));
    assertThat(s.loadObservedAtNanos()).isEqualTo(ticker.get() - Duration.ofSeconds(20).toNanos());
    assertThat(s.membersObservedAtNanos()).isEqualTo(ticker.get());
    assertThat(view.measurementWindow()).isEqualTo(Duration.ofSeconds(25));
  }

  @Test
  void readsMembersFromReadyPodsWhenGivenAPodSelectorInsteadOfAService() {
    pod("web-a", true, Map.of("app", "web"));
    pod("web-b", true, Map.of("app", "web"));
    pod("web-starting", false, Map.of("app", "web"));
    pod("batch-x", true, Map.of("app", "batch"));
    metrics("web-a", "600m", NOW, Map.of("app", "web"));
    metrics("web-b", "200m", NOW, Map.of("app", "web"));
    metrics("batch-x", "4", NOW, Map.of("app", "batch"));

    KubernetesLoadView view = track(KubernetesLoadView.builder(client).podName("web-a")
        .namespace(NS).podSelector(Map.of("app", "web")).ticker(ticker::get)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());

    LoadSnapshot s = awaitLoad(view, 2);
    assertThat(s.meanLoad()).isCloseTo(0.4, within(1e-9));
  }

  @Test
  void forbiddenMetricsFailSoftAndRecover() {
    twoReadyPodsAt600mAnd200m();
    server.expect().get().withPath(METRICS_PATH)
        .andReturn(403, MockApiServer.status(403, "Forbidden"))
        .once();

    KubernetesLoadView view = view(client);

    awaitCause(view, KubernetesLoadView.METRICS, FailureCause.FORBIDDEN);
    Await.until(() -> view.latest().hasMembers(), () -> view.latest().toString());
    assertThat(view.latest().hasLoad()).isFalse();
    assertThat(registry.get(ViewHealth.FAILURES).tag("cause", "forbidden").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get(ViewHealth.STATE).tag("state", "failing").gauge().value())
        .isEqualTo(1.0);

    view.refreshNow();

    awaitLoad(view, 2);
    Await.until(() -> view.health().state() == State.OK, view.health()::toString);
  }

  @Test
  void serverErrorKeepsTheLastSnapshotUntilTheApiComesBack() {
    twoReadyPodsAt600mAnd200m();
    // Without retries, so that one 500 answer is one failed read.
    KubernetesLoadView view = view(client(5000));
    LoadSnapshot before = awaitLoad(view, 2);
    server.expect().get().withPath(METRICS_PATH)
        .andReturn(500, MockApiServer.status(500, "etcd down")).once();
    metrics("web-b", "300m", NOW);

    view.refreshNow();

    awaitCause(view, KubernetesLoadView.METRICS, FailureCause.SERVER_ERROR);
    assertThat(view.latest().loadObservedAtNanos()).isEqualTo(before.loadObservedAtNanos());
    assertThat(view.latest().meanLoad()).isEqualTo(before.meanLoad());

    view.refreshNow();

    Await.until(() -> Math.abs(view.latest().meanLoad() - 0.45) < 1e-9,
        () -> view.latest().toString());
    assertThat(view.health().cause(KubernetesLoadView.METRICS)).isNull();
  }

  @Test
  void slowMetricsServerTimesOutWhileLatestKeepsAnswering() {
    twoReadyPodsAt600mAnd200m();
    server.expect().get().delay(8, TimeUnit.SECONDS).withPath(METRICS_PATH)
        .andReturn(200, "{}").once();
    KubernetesClient impatient = client(3000);

    KubernetesLoadView view = view(impatient);

    Await.until(view::metricsReadInFlight, view.health()::toString);
    LoadSnapshot duringRead = view.latest();
    // latest() returned while the read was still waiting for the server: it did not wait.
    assertThat(view.metricsReadInFlight()).isTrue();
    assertThat(duringRead.hasLoad()).isFalse();
    awaitCause(view, KubernetesLoadView.METRICS, FailureCause.TIMEOUT);

    view.refreshNow();

    awaitLoad(view, 2);
  }

  @Test
  void forbiddenEndpointSlicesFailSoftAndTheInformerRecovers() {
    twoReadyPodsAt600mAnd200m();
    server.expect().get().withPath(MockApiServer.slicesPath(NS, SERVICE))
        .andReturn(403, MockApiServer.status(403, "Forbidden")).times(2);

    KubernetesLoadView view = view(client(5000));

    awaitCause(view, KubernetesLoadView.MEMBERS, FailureCause.FORBIDDEN);
    assertThat(view.latest().hasMembers()).isFalse();
    awaitLoad(view, 2);
    Await.until(() -> view.health().state() == State.OK, view.health()::toString);
  }

  @Test
  void unreachableApiServerFailsSoftWithNothingToOffer() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    KubernetesClient nowhere = track(new KubernetesClientBuilder().withConfig(
        new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + closedPort)
            .withRequestTimeout(2000).withWatchReconnectInterval(100)
            .withRequestRetryBackoffLimit(0).build()).build());

    KubernetesLoadView view = view(nowhere);

    awaitCause(view, KubernetesLoadView.METRICS, FailureCause.UNREACHABLE);
    awaitCause(view, KubernetesLoadView.MEMBERS, FailureCause.UNREACHABLE);
    assertThat(view.latest()).isSameAs(LoadSnapshot.unavailable());
  }

  @Test
  void costsOneListPerMetricsReadAndOneListPlusOneWatchForMembers() throws Exception {
    twoReadyPodsAt600mAnd200m();
    List<String> paths = new ArrayList<>();
    drainRequests(paths);
    paths.clear();
    KubernetesLoadView view = view(client);
    awaitLoad(view, 2);

    for (int read = 2; read <= 5; read++) {
      view.refreshNow();
      int expected = read;
      Await.until(() -> {
        drainRequests(paths);
        return paths.stream().filter(METRICS_PATH::equals).count() == expected;
      }, paths::toString);
    }
    view.close();
    drainRequests(paths);

    assertThat(paths).filteredOn(METRICS_PATH::equals).hasSize(5);
    assertThat(paths).filteredOn(p -> p.contains("/endpointslices?") && !p.contains("watch=true"))
        .hasSize(1);
    assertThat(paths).filteredOn(p -> p.contains("/endpointslices?") && p.contains("watch=true"))
        .hasSize(1);
    assertThat(paths).hasSize(7);
  }

  @Test
  void nullEndpointsConditionsAndAddressesCountAsEmptyOrMissing() {
    // As API servers send them: "endpoints": null for a slice of a Service without endpoints
    // (kubernetes/kubernetes#135968); null conditions mean ready and not terminating. Parsed
    // from JSON rather than stored in the mock API server, whose CRUD mode trips over such
    // slices when it deletes them.
    EndpointSlice empty = Serialization.unmarshal(rawSliceJson("web-empty", "null"),
        EndpointSlice.class);
    EndpointSlice nulls = Serialization.unmarshal(rawSliceJson("web-1", "["
        + rawEndpoint("web-a", "[\"10.0.0.1\"]", "{\"ready\":true}") + ','
        + rawEndpoint("web-b", "null", "null") + ']'), EndpointSlice.class);
    assertThat(empty.getEndpoints()).isNull();
    assertThat(nulls.getEndpoints().get(1).getConditions()).isNull();

    assertThat(InformerMembers.readyInSlices(List.of(empty, nulls)))
        .containsExactlyInAnyOrder("web-a", "web-b");
  }

  @Test
  void anUnreadableSliceFailsAsMalformedAndLetsTheMembershipAgeUntilItIsGone() throws Exception {
    twoReadyPodsAt600mAnd200m();
    KubernetesLoadView view = view(client);
    awaitLoad(view, 2);

    rawSlice("web-bad", "[null]");

    awaitCause(view, KubernetesLoadView.MEMBERS, FailureCause.MALFORMED);
    long seen = view.latest().membersObservedAtNanos();
    ticker.addAndGet(Duration.ofSeconds(30).toNanos());
    view.heartbeat();
    // The watch is healthy, but what it delivered could not be read: the membership ages.
    assertThat(view.latest().membersObservedAtNanos()).isEqualTo(seen);
    assertThat(view.latest().readyMembers()).isEqualTo(2);
    assertThat(view.health().cause(KubernetesLoadView.MEMBERS)).isEqualTo(FailureCause.MALFORMED);
    assertThat(registry.get(ViewHealth.FAILURES).tag("cause", "malformed").counter().count())
        .isEqualTo(1.0);

    client.discovery().v1().endpointSlices().inNamespace(NS).withName("web-bad").delete();

    Await.until(() -> view.latest().membersObservedAtNanos() == ticker.get()
        && view.health().state() == State.OK, () -> view.latest() + " " + view.health());
  }

  @Test
  void membershipStaysFreshWhileAMetricsReadIsBlocked() {
    twoReadyPodsAt600mAnd200m();
    server.expect().get().delay(12, TimeUnit.SECONDS).withPath(METRICS_PATH)
        .andReturn(200, "{}").once();
    KubernetesLoadView view = view(client(20_000));
    Await.until(() -> view.metricsReadInFlight() && view.latest().hasMembers(),
        () -> view.latest() + " " + view.health());

    ticker.addAndGet(Duration.ofSeconds(10).toNanos());

    Await.until(() -> view.latest().membersObservedAtNanos() == ticker.get(),
        () -> view.latest() + " " + view.health());
    assertThat(view.metricsReadInFlight()).isTrue();
  }

  // --- fixtures ---

  /**
   * Creates a slice of Service web from raw JSON, so that it can hold the nulls that the model
   * builders never write.
   */
  private static String rawSliceJson(String name, String endpointsJson) {
    return "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\","
        + "\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"" + NS + "\",\"labels\":{\""
        + KubernetesLoadView.SERVICE_NAME_LABEL + "\":\"" + SERVICE + "\"}},"
        + "\"addressType\":\"IPv4\",\"endpoints\":" + endpointsJson + ",\"ports\":null}";
  }

  private static void rawSlice(String name, String endpointsJson) throws Exception {
    String json = rawSliceJson(name, endpointsJson);
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(client.getMasterUrl() + "apis/discovery.k8s.io/v1/namespaces/" + NS
                + "/endpointslices"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
  }

  private static String rawEndpoint(String pod, String addressesJson, String conditionsJson) {
    return "{\"addresses\":" + addressesJson + ",\"conditions\":" + conditionsJson
        + ",\"targetRef\":{\"kind\":\"Pod\",\"name\":\"" + pod + "\",\"namespace\":\"" + NS
        + "\"}}";
  }

  private static void drainRequests(List<String> into) {
    try {
      for (var r = server.takeRequest(10, TimeUnit.MILLISECONDS); r != null;
          r = server.takeRequest(10, TimeUnit.MILLISECONDS)) {
        into.add(r.getPath());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Service web with ready pods web-a (this pod, 0.6 cores) and web-b (0.2 cores). */
  private static void twoReadyPodsAt600mAnd200m() {
    slice("web-1", ready("web-a"), ready("web-b"));
    metrics("web-a", "600m", NOW);
    metrics("web-b", "200m", NOW);
  }

  private KubernetesLoadView view(KubernetesClient c) {
    return track(KubernetesLoadView.builder(c).podName("web-a").namespace(NS).serviceName(SERVICE)
        .metricsInterval(Duration.ofMinutes(10)).ticker(ticker::get)
        .clock(Clock.fixed(NOW, ZoneOffset.UTC)).meterRegistry(registry).build());
  }

  private KubernetesClient client(int requestTimeoutMillis) {
    return track(api.client(requestTimeoutMillis));
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeables.add(0, closeable);
    return closeable;
  }

  private static LoadSnapshot awaitLoad(KubernetesLoadView view, int members) {
    Await.until(() -> view.latest().hasLoad() && view.latest().readyMembers() == members,
        () -> view.latest() + " " + view.health());
    return view.latest();
  }

  private static void awaitCause(KubernetesLoadView view, String channel, FailureCause cause) {
    Await.until(() -> view.health().cause(channel) == cause, view.health()::toString);
    assertThat(view.health().state()).isEqualTo(State.FAILING);
  }

  private static Endpoint ready(String pod) {
    return MockApiServer.ready(pod);
  }

  private static Endpoint endpoint(String pod, boolean ready, boolean serving,
      boolean terminating) {
    return MockApiServer.endpoint(pod, ready, serving, terminating);
  }

  private static void slice(String name, Endpoint... endpoints) {
    api.slice(NS, SERVICE, name, endpoints);
  }

  private static void metrics(String pod, String cpu, Instant at) {
    metrics(pod, cpu, at, Map.of());
  }

  private static void metrics(String pod, String cpu, Instant at, Map<String, String> labels) {
    try {
      PodMetrics m = new PodMetricsBuilder().withNewMetadata().withName(pod).withNamespace(NS)
          .withLabels(labels).endMetadata().withTimestamp(at.toString())
          .withWindow(io.fabric8.kubernetes.api.model.Duration.parse("25s"))
          .addNewContainer().withName("app").addToUsage("cpu", new Quantity(cpu)).endContainer()
          .build();
      client.resources(PodMetrics.class).inNamespace(NS).resource(m).createOr(op -> op.update());
    } catch (ParseException e) {
      throw new AssertionError(e);
    }
  }

  private static void pod(String name, boolean ready, Map<String, String> labels) {
    api.pod(NS, name, ready, labels);
  }
}
