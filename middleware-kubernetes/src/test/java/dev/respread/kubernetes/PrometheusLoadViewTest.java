package dev.respread.kubernetes;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.respread.LoadSnapshot;
import dev.respread.kubernetes.internal.FailureCause;
import dev.respread.kubernetes.internal.ViewHealth;
import dev.respread.kubernetes.internal.ViewHealth.State;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus view against an HTTP server on loopback that answers {@code /api/v1/query} the
 * way Prometheus does, or the way a broken one does. {@link PrometheusServerTest} runs the view
 * against a real Prometheus.
 */
class PrometheusLoadViewTest {
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");

  private final AtomicLong ticker = new AtomicLong(9_000_000_000_000L);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicReference<String> body = new AtomicReference<>();
  private final AtomicReference<String> lastQuery = new AtomicReference<>();
  private final AtomicReference<String> lastAuthorization = new AtomicReference<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile CountDownLatch hold;
  private volatile CountDownLatch entered;
  private HttpServer server;
  private PrometheusLoadView view;

  @TempDir
  Path dir;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/api/v1/query", this::answer);
    server.start();
    body.set(answer(NOW, 30, 15, 3));
  }

  @AfterEach
  void stop() {
    if (view != null) {
      view.close();
    }
    if (hold != null) {
      hold.countDown();
    }
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    lastQuery.set(URLDecoder.decode(new String(exchange.getRequestBody().readAllBytes(), UTF_8)
        .replaceFirst("^query=", ""), UTF_8));
    lastAuthorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
    requests.incrementAndGet();
    CountDownLatch h = hold;
    if (h != null) {
      entered.countDown();
      try {
        h.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    byte[] bytes = body.get().getBytes(UTF_8);
    exchange.sendResponseHeaders(status.get(), bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Test
  void readsOwnMeanAndMembersFromOneQueryStampedInTheTickerTimeBase() {
    body.set(answer(NOW.minusSeconds(3), 30, 15, 3));

    view = view(builder());

    LoadSnapshot s = awaitLoad();
    assertThat(s.ownLoad()).isEqualTo(30.0);
    assertThat(s.meanLoad()).isEqualTo(15.0);
    assertThat(s.readyMembers()).isEqualTo(3);
    assertThat(s.loadObservedAtNanos()).isEqualTo(ticker.get() - Duration.ofSeconds(3).toNanos());
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  void sendsTheRespreadCounterPerPodAndThePodsWhoseTargetIsUpFilledIn() {
    view = view(builder());

    awaitLoad();
    String up = "max by (pod) (up{namespace=\"shop\",service=\"web\"}) == 1";
    assertThat(lastQuery.get())
        .contains("label_replace((sum by (pod) (rate(respread_requests_total{namespace=\"shop\","
            + "service=\"web\"}[60s])) and on (pod) (" + up + ")), \"respread_part\", \"load\"")
        .contains("label_replace((" + up + "), \"respread_part\", \"up\"")
        .doesNotContain("{pod}", "{namespace}", "{service}", "{window}");
    assertThat(view.noiseFloor()).isEqualTo(1.0);
  }

  @Test
  void aPodWhoseTargetIsUpWithoutALoadYetIsAMemberButLeftOutOfTheMean() {
    // web-c was scraped once: its target is up, but rate() needs two samples.
    body.set(success(load("web-a", NOW, "30"), load("web-b", NOW, "10"), up("web-a", NOW),
        up("web-b", NOW), up("web-c", NOW)));

    view = view(builder());

    LoadSnapshot s = awaitLoad();
    assertThat(s.ownLoad()).isEqualTo(30.0);
    assertThat(s.meanLoad()).isEqualTo(20.0);
    assertThat(s.readyMembers()).isEqualTo(3);
    assertThat(s.reportingMembers()).isEqualTo(2);
  }

  @Test
  void aPodWithALoadWhoseTargetIsNotUpIsNoMember() {
    body.set(success(load("web-a", NOW, "30"), load("web-b", NOW, "10"),
        load("web-gone", NOW, "0"), up("web-a", NOW), up("web-b", NOW)));

    view = view(builder());

    LoadSnapshot s = awaitLoad();
    assertThat(s.meanLoad()).isEqualTo(20.0);
    assertThat(s.readyMembers()).isEqualTo(2);
  }

  @Test
  void customQueriesAggregateInPrometheusAndAreTakenAsTheyCome() {
    body.set(aggregated(NOW.minusSeconds(2), 30, 15, 3));

    view = view(builder().metric(PrometheusLoadView.Metric.REQUESTS)
        .meanQuery("avg(my_mean)"));

    LoadSnapshot s = awaitLoad();
    assertThat(s.ownLoad()).isEqualTo(30.0);
    assertThat(s.meanLoad()).isEqualTo(15.0);
    assertThat(s.readyMembers()).isEqualTo(3);
    assertThat(s.loadObservedAtNanos()).isEqualTo(ticker.get() - Duration.ofSeconds(2).toNanos());
    assertThat(lastQuery.get())
        .contains("label_replace((sum(rate(http_server_requests_seconds_count{namespace=\"shop\","
            + "pod=\"web-a\"}[60s]))), \"respread_part\", \"own\"")
        .contains("label_replace((avg(my_mean)), \"respread_part\", \"mean\"")
        .contains("label_replace((count(max by (pod) (up{namespace=\"shop\",service=\"web\"}) "
            + "== 1)), \"respread_part\", \"members\"");
  }

  @Test
  void aCustomQueryThatReturnsSeveralSeriesFailsSoftAsMalformed() {
    body.set(aggregated(NOW, 30, 15, 3));
    view = view(builder().ownQuery("sum(my_load{pod=\"{pod}\"})"));
    LoadSnapshot before = awaitLoad();
    body.set(success(series("own", NOW, "1"), series("own", NOW, "2")));

    view.refreshNow();

    awaitCause(FailureCause.MALFORMED);
    assertThat(view.latest()).isSameAs(before);
  }

  @Test
  void sendsTheBearerTokenFromTheFileReadAgainOnEveryQuery() throws IOException {
    Path token = Files.writeString(dir.resolve("token"), "first\n");
    view = view(builder().bearerTokenFile(token));
    awaitLoad();
    assertThat(lastAuthorization.get()).isEqualTo("Bearer first");

    Files.writeString(token, "rotated");
    view.refreshNow();

    Await.until(() -> "Bearer rotated".equals(lastAuthorization.get()), lastAuthorization::get);
  }

  @Test
  void unauthorizedFailsSoftAndKeepsTheLastSnapshot() {
    assertFailsSoft(401, answer(NOW, 1, 1, 1), FailureCause.UNAUTHORIZED);
  }

  @Test
  void forbiddenFailsSoftAndKeepsTheLastSnapshot() {
    assertFailsSoft(403, "{\"status\":\"error\"}", FailureCause.FORBIDDEN);
  }

  @Test
  void serverErrorFailsSoftAndKeepsTheLastSnapshot() {
    assertFailsSoft(503, "overloaded", FailureCause.SERVER_ERROR);
  }

  @Test
  void badQueryFailsSoftAsAClientError() {
    assertFailsSoft(400, "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"parse\"}",
        FailureCause.CLIENT_ERROR);
  }

  @Test
  void garbageFailsSoftAsMalformed() {
    assertFailsSoft(200, "<html>login</html>", FailureCause.MALFORMED);
  }

  @Test
  void nanBesideANumberFailsSoftAsMalformed() {
    assertFailsSoft(200, answer(NOW, Double.NaN, 15, 3), FailureCause.MALFORMED);
  }

  @Test
  void negativeLoadFailsSoftAsMalformed() {
    assertFailsSoft(200, answer(NOW, -1, 15, 3), FailureCause.MALFORMED);
  }

  @Test
  void aPodTwiceInThePerPodAnswerFailsSoftAsMalformed() {
    assertFailsSoft(200, success(load("web-a", NOW, "1"), load("web-a", NOW, "2"),
        up("web-a", NOW)), FailureCause.MALFORMED);
  }

  @Test
  void withoutLoadSamplesYetOffersMembersOnly() {
    body.set(success(up("web-a", NOW), up("web-b", NOW), up("web-c", NOW)));

    view = view(builder());

    Await.until(() -> view.latest().hasMembers(), () -> view.latest().toString());
    assertThat(view.latest().hasLoad()).isFalse();
    assertThat(view.latest().readyMembers()).isEqualTo(3);
    assertThat(view.health().state()).isEqualTo(State.OK);
  }

  @Test
  void withoutAnOwnLoadBesideOtherPodsLoadsOffersMembersOnlyAndCountsNoFailure() {
    // A pod just rolled out: its rate() has fewer than two samples, so it has no load series
    // while the rest of the Service has.
    body.set(success(load("web-b", NOW, "20"), load("web-c", NOW, "10"), up("web-a", NOW),
        up("web-b", NOW), up("web-c", NOW)));

    view = view(builder());

    Await.until(() -> view.latest().hasMembers(), () -> view.latest() + " " + view.health());
    assertThat(view.latest().hasLoad()).isFalse();
    assertThat(view.latest().readyMembers()).isEqualTo(3);
    assertThat(view.health().state()).isEqualTo(State.OK);
    assertThat(registry.find(ViewHealth.FAILURES).counters()).isNotEmpty()
        .allSatisfy(c -> assertThat(c.count()).isZero());
  }

  @Test
  void aSampleTimeBeyondAnyInstantFailsSoftAsMalformed() {
    String farFuture = "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + "{\"metric\":{\"respread_part\":\"own\"},\"value\":[1e300,\"1\"]}]}}";
    assertFailsSoft(200, farFuture, FailureCause.MALFORMED);
  }

  @Test
  void aTokenThatCannotBeSentFailsSoftAsMalformedCountedOnEveryReadAndLoggedOnce()
      throws IOException {
    Path token = Files.writeString(dir.resolve("token"), "good");
    view = view(builder().bearerTokenFile(token));
    LoadSnapshot before = awaitLoad();
    // A line break is not allowed in a header value (RFC 9110, section 5.5).
    Files.writeString(token, "two\nlines");
    List<String> warnings;
    try (CapturedLog log = new CapturedLog()) {
      view.refreshNow();
      awaitCause(FailureCause.MALFORMED);
      view.refreshNow();
      Await.until(() -> failures(FailureCause.MALFORMED) == 2.0, view.health()::toString);
      warnings = log.warnings();
    }

    assertThat(view.latest()).isSameAs(before);
    assertThat(requests.get()).isEqualTo(1);
    assertThat(warnings).singleElement().asString().contains("cannot read");
  }

  @Test
  void namedViewsInOneRegistryReportTheirOwnStateUnderTheirOwnViewTag() {
    view = view(builder().name("grpc"));
    try (PrometheusLoadView unreachable = view(builder(closedPortUrl()).name("http"))) {
      awaitLoad();
      Await.until(() -> unreachable.health().state() == State.FAILING,
          unreachable.health()::toString);

      assertThat(state("grpc", State.OK)).isEqualTo(1.0);
      assertThat(state("http", State.FAILING)).isEqualTo(1.0);
      assertThat(state("http", State.OK)).isEqualTo(0.0);
      assertThat(registry.get(ViewHealth.FAILURES).tags(ViewHealth.VIEW_TAG, "http", "cause",
          "unreachable").counter().count()).isEqualTo(1.0);
      assertThat(registry.get(ViewHealth.FAILURES).tags(ViewHealth.VIEW_TAG, "grpc", "cause",
          "unreachable").counter().count()).isZero();
    }
  }

  @Test
  void aSecondViewWithTheSameNameGetsASuffixAndClosingAViewRemovesItsMeters() {
    view = view(builder());
    try (PrometheusLoadView second = view(builder(closedPortUrl()))) {
      awaitLoad();
      Await.until(() -> second.health().state() == State.FAILING, second.health()::toString);

      assertThat(second.health().name()).isEqualTo("default-2");
      assertThat(state("default", State.OK)).isEqualTo(1.0);
      assertThat(state("default-2", State.FAILING)).isEqualTo(1.0);
    }

    assertThat(registry.find(ViewHealth.STATE).tag(ViewHealth.VIEW_TAG, "default-2").meters())
        .isEmpty();
    assertThat(state("default", State.OK)).isEqualTo(1.0);
  }

  @Test
  void slowPrometheusTimesOutWhileLatestKeepsAnswering() throws Exception {
    hold = new CountDownLatch(1);
    entered = new CountDownLatch(1);

    view = view(builder().timeout(Duration.ofSeconds(2)));

    assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
    // The server holds the query; latest() answers anyway, with what the view has.
    assertThat(view.latest()).isSameAs(LoadSnapshot.unavailable());
    assertThat(hold.getCount()).isEqualTo(1);
    awaitCause(FailureCause.TIMEOUT);
    assertThat(view.latest()).isSameAs(LoadSnapshot.unavailable());
  }

  @Test
  void unreachablePrometheusFailsSoftWithNothingToOffer() {
    server.stop(0);

    view = view(builder());

    awaitCause(FailureCause.UNREACHABLE);
    assertThat(view.latest()).isSameAs(LoadSnapshot.unavailable());
  }

  @Test
  void forbiddenEndpointSlicesLeaveTheViewWithoutMembersLoggedOnceWithTheFixUntilAllowed() {
    try (MockApiServer api = new MockApiServer(); CapturedLog log = new CapturedLog();
        KubernetesClient client = api.client(5000)) {
      api.slice("shop", "web", "web-1", MockApiServer.ready("web-a"),
          MockApiServer.ready("web-b"));
      api.server.expect().get().withPath(MockApiServer.slicesPath("shop", "web"))
          .andReturn(403, MockApiServer.status(403, "Forbidden")).times(2);

      view = view(builder().members(MembersSource.KUBERNETES).kubernetesClient(client));

      Await.until(() -> view.health().cause(PrometheusLoadView.MEMBERS)
          == FailureCause.FORBIDDEN, view.health()::toString);
      assertThat(view.health().state()).isEqualTo(State.FAILING);
      assertThat(view.latest().hasMembers()).isFalse();
      assertThat(log.warnings()).singleElement().asString()
          .contains("members", "forbidden", "allow list and watch on endpointslices "
              + "(discovery.k8s.io), or set RESPREAD_MEMBERS_SOURCE=prometheus");
      // Allowed again (the 403s used up): web-a at 30 against the mean of web-a and web-b,
      // 7.5; web-c, which Prometheus knows, is no member.
      Await.until(() -> view.latest().hasLoad() && view.latest().readyMembers() == 2,
          () -> view.latest() + " " + view.health());
      assertThat(view.latest().meanLoad()).isEqualTo(18.75);
      // The informer's heartbeat reports the members readable again within a second.
      Await.until(() -> view.health().state() == State.OK, view.health()::toString);
      view.close();
    }
  }

  @Test
  void unreachablePrometheusWithMembersFromTheApiOffersMembersOnly() {
    server.stop(0);
    try (MockApiServer api = new MockApiServer()) {
      api.slice("shop", "web", "web-1", MockApiServer.ready("web-a"),
          MockApiServer.ready("web-b"));

      view = view(builder().members(MembersSource.KUBERNETES).kubernetesClient(api.client));

      awaitCause(FailureCause.UNREACHABLE);
      Await.until(() -> view.latest().hasMembers(), () -> view.latest() + " " + view.health());
      assertThat(view.latest().readyMembers()).isEqualTo(2);
      assertThat(view.latest().hasLoad()).isFalse();
      // Before the mock API server goes: a watch it still holds slows its shutdown.
      view.close();
    }
  }

  @Test
  void customQueriesWithMembersFromTheApiTakeOwnAndMeanFromPrometheusAndTheCountFromTheSlices() {
    body.set(aggregated(NOW, 30, 15, 99));
    try (MockApiServer api = new MockApiServer()) {
      api.slice("shop", "web", "web-1", MockApiServer.ready("web-a"),
          MockApiServer.ready("web-b"), MockApiServer.ready("web-c"));

      view = view(builder().meanQuery("avg(my_mean)").members(MembersSource.KUBERNETES)
          .kubernetesClient(api.client));

      Await.until(() -> view.latest().hasLoad() && view.latest().readyMembers() == 3,
          () -> view.latest() + " " + view.health());
      assertThat(view.latest().ownLoad()).isEqualTo(30.0);
      assertThat(view.latest().meanLoad()).isEqualTo(15.0);
      assertThat(lastQuery.get()).contains("avg(my_mean)").doesNotContain("\"members\"");
      view.close();
    }
  }

  @Test
  void podsSelectedByLabelAreTheMembersOfTheContainerCpuPresetWithoutAServiceName() {
    body.set(answer(NOW, 0.6, 0.3, 3));
    try (MockApiServer api = new MockApiServer()) {
      api.pod("shop", "web-a", true, Map.of("app", "web"));
      api.pod("shop", "web-b", true, Map.of("app", "web"));
      api.pod("shop", "web-c", false, Map.of("app", "web"));

      view = PrometheusLoadView.builder(URI.create("http://127.0.0.1:"
              + server.getAddress().getPort())).metric(PrometheusLoadView.Metric.CONTAINER_CPU)
          .podName("web-a").namespace("shop").podSelector(Map.of("app", "web"))
          .kubernetesClient(api.client).interval(Duration.ofMinutes(10))
          .ticker(ticker::get).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

      // web-b and web-c share 0.3 cores (0.15 each); web-c is not ready.
      Await.until(() -> view.latest().hasLoad() && view.latest().readyMembers() == 2,
          () -> view.latest() + " " + view.health());
      assertThat(view.latest().meanLoad()).isCloseTo(0.375, within(1e-9));
      assertThat(lastQuery.get()).doesNotContain("service");
      view.close();
    }
  }

  @Test
  void cpuPresetQueriesProcessCpuUsage() {
    view = view(builder().metric(PrometheusLoadView.Metric.CPU));

    awaitLoad();
    assertThat(lastQuery.get())
        .contains("sum by (pod) (process_cpu_usage{namespace=\"shop\",service=\"web\"})")
        .doesNotContain("respread_requests_total");
    assertThat(view.noiseFloor()).isEqualTo(0.02);
  }

  @Test
  void containerCpuPresetQueriesCadvisorForTheNamespaceAndKeepsThePodsWhoseTargetIsUp() {
    view = view(builder().metric(PrometheusLoadView.Metric.CONTAINER_CPU));

    awaitLoad();
    assertThat(lastQuery.get())
        .contains("sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=\"shop\","
            + "container!=\"\"}[60s])) and on (pod) (max by (pod) (up{namespace=\"shop\","
            + "service=\"web\"}) == 1)");
    assertThat(view.noiseFloor()).isEqualTo(0.05);
  }

  private void assertFailsSoft(int failingStatus, String failingBody, FailureCause cause) {
    view = view(builder());
    LoadSnapshot before = awaitLoad();
    status.set(failingStatus);
    body.set(failingBody);

    view.refreshNow();

    awaitCause(cause);
    assertThat(view.latest()).isSameAs(before);
    assertThat(registry.get(ViewHealth.FAILURES).tag("cause", cause.tagValue()).counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get(ViewHealth.STATE).tag("state", "failing").gauge().value())
        .isEqualTo(1.0);

    status.set(200);
    body.set(answer(NOW.plusSeconds(1), 40, 20, 3));
    view.refreshNow();

    Await.until(() -> view.latest().ownLoad() == 40.0, () -> view.latest().toString());
    assertThat(view.health().state()).isEqualTo(State.OK);
  }

  private double state(String name, State state) {
    return registry.get(ViewHealth.STATE).tags(ViewHealth.VIEW_TAG, name, "state",
        state.name().toLowerCase(java.util.Locale.ROOT)).gauge().value();
  }

  private double failures(FailureCause cause) {
    return registry.get(ViewHealth.FAILURES).tag("cause", cause.tagValue()).counter().count();
  }

  private static URI closedPortUrl() {
    try (ServerSocket s = new ServerSocket(0)) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private PrometheusLoadView.Builder builder() {
    return builder(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
  }

  private PrometheusLoadView.Builder builder(URI url) {
    return PrometheusLoadView.builder(url).podName("web-a").namespace("shop")
        .serviceName("web").interval(Duration.ofMinutes(10)).timeout(Duration.ofSeconds(10))
        .ticker(ticker::get).clock(Clock.fixed(NOW, ZoneOffset.UTC)).meterRegistry(registry);
  }

  private static PrometheusLoadView view(PrometheusLoadView.Builder b) {
    return b.build();
  }

  private LoadSnapshot awaitLoad() {
    Await.until(() -> view.latest().hasLoad(), () -> view.latest() + " " + view.health());
    return view.latest();
  }

  private void awaitCause(FailureCause cause) {
    Await.until(() -> view.health().cause(PrometheusLoadView.QUERY) == cause,
        view.health()::toString);
    assertThat(view.health().state()).isEqualTo(State.FAILING);
  }

  /**
   * A per-pod answer of a Service of {@code members} pods whose targets are up: this pod, web-a,
   * at {@code own}, the others sharing what makes the mean {@code mean}.
   */
  static String answer(Instant at, double own, double mean, int members) {
    List<String> series = new ArrayList<>();
    series.add(load("web-a", at, number(own)));
    series.add(up("web-a", at));
    for (int i = 1; i < members; i++) {
      String pod = "web-" + (char) ('a' + i);
      series.add(load(pod, at, number((mean * members - own) / (members - 1))));
      series.add(up(pod, at));
    }
    return success(series.toArray(String[]::new));
  }

  /** An answer to the own, mean and members queries of custom queries. */
  static String aggregated(Instant at, double own, double mean, double members) {
    return success(series("own", at, number(own)), series("mean", at, number(mean)),
        series("members", at, number(members)));
  }

  private static String success(String... series) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
        + String.join(",", series) + "]}}";
  }

  private static String number(double v) {
    return Double.isNaN(v) ? "NaN" : Double.toString(v);
  }

  private static String load(String pod, Instant at, String value) {
    return sample("{\"respread_part\":\"load\",\"pod\":\"" + pod + "\"}", at, value);
  }

  private static String up(String pod, Instant at) {
    return sample("{\"respread_part\":\"up\",\"pod\":\"" + pod + "\"}", at, "1");
  }

  private static String series(String part, Instant at, String value) {
    return sample("{\"respread_part\":\"" + part + "\"}", at, value);
  }

  private static String sample(String labels, Instant at, String value) {
    return "{\"metric\":" + labels + ",\"value\":[" + at.getEpochSecond() + '.'
        + String.format("%03d", at.getNano() / 1_000_000) + ",\"" + value + "\"]}";
  }
}
