package dev.respread.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.respread.ConnectionRecycler;
import dev.respread.InvalidConfigurationException;
import dev.respread.LoadSource;
import dev.respread.LoadViewProvider;
import dev.respread.RecyclingConfig;
import dev.respread.internal.RecyclerMetrics;
import dev.respread.kubernetes.internal.KubernetesLoadViewProvider;
import dev.respread.kubernetes.internal.PrometheusLoadViewProvider;
import dev.respread.kubernetes.internal.Variables;
import dev.respread.kubernetes.internal.ViewHealth;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetricsBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code RESPREAD_LOAD_SOURCE} selects the views through {@link ServiceLoader}, and their
 * environment variables are checked together, every bad one named in one message.
 */
class LoadViewProvidersTest {

  @Test
  void registersAProviderForKubernetesAndForPrometheus() {
    Map<LoadSource, LoadViewProvider> providers = ServiceLoader.load(LoadViewProvider.class)
        .stream().map(ServiceLoader.Provider::get)
        .collect(Collectors.toMap(LoadViewProvider::source, p -> p));

    assertThat(providers).containsOnlyKeys(LoadSource.KUBERNETES, LoadSource.PROMETHEUS);
    assertThat(providers.get(LoadSource.KUBERNETES)).isInstanceOf(KubernetesLoadViewProvider.class);
    assertThat(providers.get(LoadSource.PROMETHEUS)).isInstanceOf(PrometheusLoadViewProvider.class);
  }

  @Test
  void theCoreAcceptsEveryVariableTheViewsRead() {
    Map<String, String> env = new HashMap<>();
    for (String v : Variables.KUBERNETES) {
      env.put(v, "x");
    }
    for (String v : Variables.PROMETHEUS) {
      env.put(v, "x");
    }
    env.put("RESPREAD_LOAD_SOURCE", "kubernetes");

    assertThat(RecyclingConfig.fromEnvironment(env).loadSource()).isEqualTo(LoadSource.KUBERNETES);
  }

  @Test
  void namesEveryBadKubernetesVariableInOneMessage() {
    Map<String, String> env = Map.of(
        "POD_NAMESPACE", " ",
        "RESPREAD_POD_SELECTOR", "app in (web)",
        "RESPREAD_KUBERNETES_METRICS_INTERVAL", "soon",
        "RESPREAD_KUBERNETES_TIMEOUT", "0s");

    assertThatThrownBy(() -> new KubernetesLoadViewProvider().create(
        RecyclingConfig.builder().build(), env, System::nanoTime))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactlyInAnyOrder(
                "podName: null (expected: this pod's name; set POD_NAME from the downward API "
                    + "(fieldRef metadata.name))",
                "POD_NAMESPACE: \" \" (expected: this pod's namespace; set POD_NAMESPACE from the "
                    + "downward API (fieldRef metadata.namespace))",
                "RESPREAD_POD_SELECTOR: \"app in (web)\" (expected: equality labels such as "
                    + "app=web,tier=api)",
                "serviceName: null (expected: the Service's name, or RESPREAD_POD_SELECTOR with "
                    + "its pods' labels)",
                "RESPREAD_KUBERNETES_METRICS_INTERVAL: \"soon\" (expected: a duration such as "
                    + "500ms, 90s, 5m, 1h or PT5M, >= 100ms and <= 10m)",
                "RESPREAD_KUBERNETES_TIMEOUT: \"0s\" (expected: >= 100ms and <= 1m)"));
  }

  @Test
  void namesEveryBadPrometheusVariableInOneMessage() {
    Map<String, String> env = Map.of(
        "RESPREAD_PROMETHEUS_URL", "prometheus:9090",
        "RESPREAD_PROMETHEUS_METRIC", "latency",
        "RESPREAD_PROMETHEUS_WINDOW", "0s",
        "RESPREAD_PROMETHEUS_BEARER_TOKEN_FILE", "/nonexistent/token",
        "POD_NAME", "web-a");

    assertThatThrownBy(() -> new PrometheusLoadViewProvider().create(
        RecyclingConfig.builder().build(), env, System::nanoTime))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactlyInAnyOrder(
                "RESPREAD_PROMETHEUS_URL: \"prometheus:9090\" (expected: the Prometheus base URL, "
                    + "such as http://prometheus.monitoring:9090)",
                "RESPREAD_PROMETHEUS_METRIC: \"latency\" (expected: one of respread, requests, "
                    + "cpu, container_cpu)",
                "RESPREAD_PROMETHEUS_WINDOW: \"0s\" (expected: >= 1s and <= 1h)",
                "RESPREAD_PROMETHEUS_BEARER_TOKEN_FILE: \"/nonexistent/token\" (expected: a "
                    + "readable file holding the token)",
                "namespace: null (expected: this pod's namespace; set POD_NAMESPACE from the "
                    + "downward API (fieldRef metadata.namespace), because a query uses "
                    + "{namespace})",
                "serviceName: null (expected: the name of the Service, as in the service label "
                    + "of its series, because a query uses {service})"));
  }

  @Test
  void namesAnUnknownMembersSourceWithTheOtherBadPrometheusVariables() {
    Map<String, String> env = Map.of(
        "RESPREAD_PROMETHEUS_URL", "http://prometheus:9090",
        "RESPREAD_MEMBERS_SOURCE", "endpoints",
        "RESPREAD_KUBERNETES_TIMEOUT", "forever",
        "POD_NAME", "web-a", "POD_NAMESPACE", "shop", "RESPREAD_SERVICE_NAME", "web");

    assertThatThrownBy(() -> new PrometheusLoadViewProvider().create(
        RecyclingConfig.builder().build(), env, System::nanoTime))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactlyInAnyOrder(
                "RESPREAD_MEMBERS_SOURCE: \"endpoints\" (expected: one of auto, kubernetes, "
                    + "prometheus)",
                "RESPREAD_KUBERNETES_TIMEOUT: \"forever\" (expected: a duration such as 500ms, "
                    + "90s, 5m, 1h or PT5M, >= 100ms and <= 1m)"));
  }

  @Test
  void membersFromTheApiNeedAServiceOrSelectorANamespaceAndNoMembersQuery() {
    Map<String, String> env = Map.of(
        "RESPREAD_PROMETHEUS_URL", "http://prometheus:9090",
        "RESPREAD_MEMBERS_SOURCE", "kubernetes",
        "RESPREAD_PROMETHEUS_MEMBERS_QUERY", "count(up)",
        "POD_NAME", "web-a");

    assertThatThrownBy(() -> new PrometheusLoadViewProvider().create(
        RecyclingConfig.builder().build(), env, System::nanoTime))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactlyInAnyOrder(
                "serviceName: null (expected: the Service's name, or RESPREAD_POD_SELECTOR with "
                    + "its pods' labels)",
                "RESPREAD_PROMETHEUS_MEMBERS_QUERY: \"count(up)\" (expected: not set, because "
                    + "the members come from the Kubernetes API (RESPREAD_MEMBERS_SOURCE="
                    + "kubernetes))",
                "namespace: null (expected: this pod's namespace; set POD_NAMESPACE from the "
                    + "downward API (fieldRef metadata.namespace), because the members come "
                    + "from the API)"));
  }

  @Test
  void theKubernetesSourceRefusesMembersFromPrometheus() {
    Map<String, String> env = Map.of("RESPREAD_MEMBERS_SOURCE", "prometheus",
        "POD_NAME", "web-a", "POD_NAMESPACE", "shop", "RESPREAD_SERVICE_NAME", "web");

    assertThatThrownBy(() -> new KubernetesLoadViewProvider().create(
        RecyclingConfig.builder().build(), env, System::nanoTime))
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactly(
                "RESPREAD_MEMBERS_SOURCE: \"prometheus\" (expected: auto or kubernetes, because "
                    + "the kubernetes load source reads the members from the API; for members "
                    + "from Prometheus, set RESPREAD_LOAD_SOURCE=prometheus)"));
  }

  @Test
  void inAClusterACustomMembersQueryKeepsTheMembersInPrometheus() {
    Map<String, String> env = Map.of(
        "KUBERNETES_SERVICE_HOST", "10.96.0.1",
        "RESPREAD_PROMETHEUS_URL", "http://127.0.0.1:" + closedPort(),
        "RESPREAD_PROMETHEUS_INTERVAL", "10m",
        "RESPREAD_PROMETHEUS_MEMBERS_QUERY", "count(up{job=\"web\"} == 1)",
        "POD_NAME", "web-a", "POD_NAMESPACE", "shop", "RESPREAD_SERVICE_NAME", "web");

    try (PrometheusLoadView view = PrometheusLoadView.builder().environment(env).build()) {
      assertThat(view.query()).contains("label_replace((count(up{job=\"web\"} == 1)), "
          + "\"respread_part\", \"members\"");
      assertThat(view.health().toString()).doesNotContain(PrometheusLoadView.MEMBERS);
    }
  }

  @Test
  void aKubernetesClientGivenInCodeMakesTheMembersComeFromTheApi() {
    try (KubernetesClient client = unusedClient();
        PrometheusLoadView view = PrometheusLoadView.builder(URI.create("http://127.0.0.1:1"))
            .kubernetesClient(client).podName("web-a").namespace("shop").serviceName("web")
            .interval(Duration.ofMinutes(10)).build()) {
      assertThat(view.query()).doesNotContain("\"up\"", "up{");
      assertThat(view.health().toString()).contains(PrometheusLoadView.MEMBERS);
    }
  }

  @Test
  void checksSettingsMadeInCodeLikeTheirVariablesAndNamesEveryBadOneInOneMessage() {
    try (KubernetesClient client = unusedClient()) {
      assertThatThrownBy(() -> KubernetesLoadView.builder(client).podName("web-a").namespace("shop")
        .podSelector(Map.of("app", "web shop")).measurementWindow(Duration.ZERO).name(" ")
        .build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactlyInAnyOrder(
                "podSelector: {app=web shop} (expected: equality labels such as "
                    + "app=web,tier=api)",
                "measurementWindow: 0s (expected: >= 1s and <= 1h)",
                "name: \" \" (expected: not blank)"));
    }
  }

  @Test
  void refusesANegativeMeasurementWindow() {
    try (KubernetesClient client = unusedClient()) {
      assertThatThrownBy(() -> KubernetesLoadView.builder(client).podName("web-a").namespace("shop")
        .serviceName("web").measurementWindow(Duration.ofSeconds(-30)).build())
        .isInstanceOfSatisfying(InvalidConfigurationException.class, e ->
            assertThat(e.problems()).containsExactly(
                "measurementWindow: PT-30S (expected: >= 1s and <= 1h)"));
    }
  }

  /** A client for builders that fail before they use it: creating one sends nothing. */
  private static KubernetesClient unusedClient() {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:1").build()).build();
  }

  @Test
  void twoRecyclersFromOneEnvironmentGetAViewEachNamedAfterItsRecycler() {
    Map<String, String> env = Map.of("RESPREAD_LOAD_SOURCE", "prometheus",
        "RESPREAD_PROMETHEUS_URL", "http://127.0.0.1:" + closedPort(),
        "RESPREAD_PROMETHEUS_INTERVAL", "10m", "POD_NAME", "web-a", "POD_NAMESPACE", "shop",
        "RESPREAD_SERVICE_NAME", "web");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RecyclingConfig config = RecyclingConfig.fromEnvironment(env);

    try (ConnectionRecycler grpc = ConnectionRecycler.builder(config).environment(env)
        .meterRegistry(registry).name("grpc").build()) {
      try (ConnectionRecycler http = ConnectionRecycler.builder(config).environment(env)
          .meterRegistry(registry).name("http").build()) {
        assertThat(registry.find(ViewHealth.STATE).tag(ViewHealth.VIEW_TAG, "grpc").gauges())
            .hasSize(3);
        assertThat(registry.find(ViewHealth.STATE).tag(ViewHealth.VIEW_TAG, "http")
            .gauges()).hasSize(3);
      }
      // Closing a recycler closes its view, which takes its meters along.
      assertThat(registry.find(ViewHealth.STATE).tag(ViewHealth.VIEW_TAG, "http").meters())
          .isEmpty();
      assertThat(registry.find(ViewHealth.FAILURES).tag(ViewHealth.VIEW_TAG, "http")
          .meters()).isEmpty();
      assertThat(registry.find(ViewHealth.STATE).tag(ViewHealth.VIEW_TAG, "grpc").gauges())
          .hasSize(3);
    }
  }

  @Test
  void customQueriesNeedOnlyThePlaceholdersTheyUse() {
    Map<String, String> env = Map.of(
        "RESPREAD_PROMETHEUS_URL", "http://127.0.0.1:1",
        "RESPREAD_PROMETHEUS_OWN_QUERY", "sum(load{pod=\"{pod}\"})",
        "RESPREAD_PROMETHEUS_MEAN_QUERY", "avg(load)",
        "RESPREAD_PROMETHEUS_MEMBERS_QUERY", "count(load)",
        "POD_NAME", "web-a");

    try (PrometheusLoadView view = PrometheusLoadView.builder().environment(env).build()) {
      assertThat(view.query()).contains("sum(load{pod=\"web-a\"})", "avg(load)", "count(load)");
    }
  }

  @Test
  void kubernetesSourceGivesTheRecyclerMembersAndLoadFromTheApiServer() {
    Map<String, String> env = Map.of("RESPREAD_LOAD_SOURCE", "kubernetes",
        "RESPREAD_LOAD_INTERVAL", "100ms", "POD_NAME", "web-a", "POD_NAMESPACE", "shop",
        "RESPREAD_SERVICE_NAME", "web");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (MockApiServer api = new MockApiServer();
        MockApiServer.AutoConfigured found = api.autoConfigured()) {
      api.slice("shop", "web", "web-1", MockApiServer.ready("web-a"),
          MockApiServer.ready("web-b"));
      podMetrics(api.client, "web-a", "900m");
      podMetrics(api.client, "web-b", "300m");

      try (ConnectionRecycler recycler = ConnectionRecycler.builder(
          RecyclingConfig.fromEnvironment(env)).environment(env).meterRegistry(registry)
          .name("k8s").build()) {
        Gauge members = registry.get(RecyclerMetrics.LOAD_MEMBERS).gauge();
        Gauge ratio = registry.get(RecyclerMetrics.LOAD_RATIO).gauge();

        Await.until(() -> members.value() == 2 && Math.abs(ratio.value() - 1.5) < 1e-9,
            () -> "members=" + members.value() + " ratio=" + ratio.value());
      }
    }
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void podMetrics(KubernetesClient client, String pod, String cpu) {
    PodMetrics m = new PodMetricsBuilder().withNewMetadata().withName(pod).withNamespace("shop")
        .endMetadata().withTimestamp(Instant.now().toString())
        .withContainers(List.of()).addNewContainer().withName("app")
        .addToUsage("cpu", new Quantity(cpu)).endContainer().build();
    client.resources(PodMetrics.class).inNamespace("shop").resource(m).create();
  }
}
