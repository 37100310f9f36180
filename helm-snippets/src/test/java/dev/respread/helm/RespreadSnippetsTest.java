package dev.respread.helm;

import static dev.respread.helm.ChartFixture.NAMESPACE;
import static dev.respread.helm.ChartFixture.list;
import static dev.respread.helm.ChartFixture.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.respread.RecyclingConfig;
import dev.respread.helm.ChartFixture.Rendered;
import dev.respread.kubernetes.PrometheusLoadView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Renders the example chart, which uses the snippets as a library dependency, with real helm. */
class RespreadSnippetsTest {
  @TempDir
  static Path dir;

  static ChartFixture charts;

  @BeforeAll
  static void copyChartsAndBuildDependency() {
    charts = ChartFixture.create(dir);
  }

  /**
   * Every value of the block, the variable it sets, and a valid value, in the order of the tables
   * in the README and docs/load-views.md.
   */
  static Stream<Arguments> everyValue() {
    return Stream.of(
        Arguments.of("enabled", "RESPREAD_ENABLED", false, "false"),
        Arguments.of("maxConnectionAge", "RESPREAD_MAX_CONNECTION_AGE", "5m", "5m"),
        Arguments.of("maxConnectionAgeGrace", "RESPREAD_MAX_CONNECTION_AGE_GRACE", "60s", "60s"),
        Arguments.of("jitter", "RESPREAD_JITTER", 0.2, "0.2"),
        Arguments.of("maxRequestsPerConnection", "RESPREAD_MAX_REQUESTS_PER_CONNECTION", 10000,
            "10000"),
        Arguments.of("loadSource", "RESPREAD_LOAD_SOURCE", "prometheus", "prometheus"),
        Arguments.of("loadThreshold", "RESPREAD_LOAD_THRESHOLD", 0.3, "0.3"),
        Arguments.of("loadMinDifference", "RESPREAD_LOAD_MIN_DIFFERENCE", 0.1, "0.1"),
        Arguments.of("loadGain", "RESPREAD_LOAD_GAIN", 0.7, "0.7"),
        Arguments.of("loadInterval", "RESPREAD_LOAD_INTERVAL", "2s", "2s"),
        Arguments.of("loadMaxStaleness", "RESPREAD_LOAD_MAX_STALENESS", "90s", "90s"),
        Arguments.of("coldMaxConnectionAge", "RESPREAD_COLD_MAX_CONNECTION_AGE", "1h", "1h"),
        Arguments.of("maxDrainsPerSecond", "RESPREAD_MAX_DRAINS_PER_SECOND", 5, "5"),
        Arguments.of("maxDrainingFraction", "RESPREAD_MAX_DRAINING_FRACTION", 0.1, "0.1"),
        Arguments.of("shutdownDelay", "RESPREAD_SHUTDOWN_DELAY", "10s", "10s"),
        Arguments.of("goawayPingTimeout", "RESPREAD_GOAWAY_PING_TIMEOUT", "2s", "2s"),
        Arguments.of("serviceName", "RESPREAD_SERVICE_NAME", "web", "web"),
        Arguments.of("podSelector", "RESPREAD_POD_SELECTOR", "app=web,tier=api",
            "app=web,tier=api"),
        Arguments.of("membersSource", "RESPREAD_MEMBERS_SOURCE", "prometheus", "prometheus"),
        Arguments.of("kubernetesMetricsInterval", "RESPREAD_KUBERNETES_METRICS_INTERVAL", "30s",
            "30s"),
        Arguments.of("kubernetesTimeout", "RESPREAD_KUBERNETES_TIMEOUT", "3s", "3s"),
        Arguments.of("prometheusUrl", "RESPREAD_PROMETHEUS_URL",
            "http://prometheus.monitoring:9090", "http://prometheus.monitoring:9090"),
        Arguments.of("prometheusMetric", "RESPREAD_PROMETHEUS_METRIC", "cpu", "cpu"),
        Arguments.of("prometheusOwnQuery", "RESPREAD_PROMETHEUS_OWN_QUERY",
            "sum(rate(x{pod=\"{pod}\"}[{window}]))", "sum(rate(x{pod=\"{pod}\"}[{window}]))"),
        Arguments.of("prometheusMeanQuery", "RESPREAD_PROMETHEUS_MEAN_QUERY", "avg(m)", "avg(m)"),
        Arguments.of("prometheusMembersQuery", "RESPREAD_PROMETHEUS_MEMBERS_QUERY", "count(m)",
            "count(m)"),
        Arguments.of("prometheusWindow", "RESPREAD_PROMETHEUS_WINDOW", "2m", "2m"),
        Arguments.of("prometheusInterval", "RESPREAD_PROMETHEUS_INTERVAL", "60s", "60s"),
        Arguments.of("prometheusTimeout", "RESPREAD_PROMETHEUS_TIMEOUT", "4s", "4s"),
        Arguments.of("prometheusBearerTokenFile", "RESPREAD_PROMETHEUS_BEARER_TOKEN_FILE",
            "/var/run/secrets/prometheus/token", "/var/run/secrets/prometheus/token"));
  }

  /** What a value needs beside it to be valid (a view's required setting). */
  private static Map<String, Object> withRequired(String key, Object value) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put(key, value);
    return values;
  }

  @Test
  void defaultsRenderTheDownwardApiVariablesAndNoRespreadVariable() {
    Rendered r = charts.renderWith(Map.of());

    assertThat(r.envNames()).containsExactly("POD_NAME", "POD_NAMESPACE");
    assertThat(r.text).doesNotContain("RESPREAD_");
  }

  @Test
  void podNameAndNamespaceComeFromTheDownwardApi() {
    Rendered r = charts.renderWith(Map.of());

    List<Map<String, Object>> env = r.env(r.deployment());
    assertThat(env.get(0)).isEqualTo(Map.of("name", "POD_NAME",
        "valueFrom", Map.of("fieldRef", Map.of("fieldPath", "metadata.name"))));
    assertThat(env.get(1)).isEqualTo(Map.of("name", "POD_NAMESPACE",
        "valueFrom", Map.of("fieldRef", Map.of("fieldPath", "metadata.namespace"))));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("everyValue")
  void eachValueSetsItsVariableAndNoOther(String key, String variable, Object value,
      String expected) {
    Map<String, Object> values = withRequired(key, value);
    if (key.equals("loadSource")) {
      values.put("prometheusUrl", "http://prometheus:9090");
    }

    Map<String, Object> env = charts.render(values).envValues();

    assertThat(env).contains(entry(variable, expected));
    if (key.equals("loadSource")) {
      assertThat(env).containsOnlyKeys(variable, "RESPREAD_PROMETHEUS_URL");
    } else {
      assertThat(env).containsOnlyKeys(variable);
    }
  }

  @Test
  void everyVariableTogetherRendersInTheReadmeOrder() {
    Map<String, Object> values = new LinkedHashMap<>();
    everyValue().forEach(a -> values.put((String) a.get()[0], a.get()[2]));

    Map<String, Object> env = charts.render(values).envValues();

    assertThat(env.keySet()).containsExactlyElementsOf(
        everyValue().map(a -> (String) a.get()[1]).toList());
  }

  @Test
  void theLibraryAcceptsEveryVariableTheChartRenders() {
    Map<String, Object> values = new LinkedHashMap<>();
    everyValue().forEach(a -> values.put((String) a.get()[0], a.get()[2]));
    Map<String, String> env = new LinkedHashMap<>();
    charts.render(values).envValues().forEach((k, v) -> env.put(k, String.valueOf(v)));

    // The library refuses unknown RESPREAD_* names (those of the load views on the class path
    // included) and bad values, all in one message: a name or format that drifted from the
    // library would fail here, as it would fail the pod at start-up.
    RecyclingConfig config = RecyclingConfig.fromEnvironment(env);

    assertThat(config.maxConnectionAge()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.maxRequestsPerConnection()).isEqualTo(10_000);
  }

  @Test
  void everyVariableTheLibraryReadsHasAValueInTheChart() throws Exception {
    // The other direction: a RESPREAD_* name in the library's sources (the core and every load
    // view) that the chart cannot set would be a setting chart users cannot reach.
    Pattern variable = Pattern.compile("\"(RESPREAD_[A-Z_]+)\"");
    Set<String> read = new TreeSet<>();
    try (Stream<Path> modules = Files.list(Path.of("..").toAbsolutePath().normalize())) {
      for (Path module : modules.filter(m -> m.getFileName().toString().startsWith("middleware-"))
          .toList()) {
        try (Stream<Path> sources = Files.walk(module.resolve("src/main/java"))) {
          for (Path source : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
            Matcher m = variable.matcher(Files.readString(source));
            while (m.find()) {
              read.add(m.group(1));
            }
          }
        }
      }
    }

    assertThat(read).as("variables in the library's sources").hasSizeGreaterThan(20);
    assertThat(everyValue().map(a -> (String) a.get()[1]).toList()).containsAll(read);
  }

  @Test
  void valuesAreQuotedStringsAndLargeWholeNumbersStayIntegers() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("maxRequestsPerConnection", 1_000_000);
    values.put("jitter", 0.25);
    values.put("enabled", true);

    Rendered r = charts.render(values);

    assertThat(r.text)
        .contains("value: \"1000000\"")
        .contains("value: \"0.25\"")
        .contains("value: \"true\"");
    assertThat(r.envValues()).allSatisfy((k, v) -> assertThat(v).isInstanceOf(String.class));
  }

  @Test
  void falseAndZeroAreValuesWhileNullAndEmptyLeaveTheLibraryDefault() {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("enabled", false);
    values.put("maxRequestsPerConnection", 0);
    values.put("maxConnectionAge", null);
    values.put("jitter", "");

    Map<String, Object> env = charts.render(values).envValues();

    assertThat(env).containsExactly(entry("RESPREAD_ENABLED", "false"),
        entry("RESPREAD_MAX_REQUESTS_PER_CONNECTION", "0"));
  }

  /** The Role's rules, as docs/load-views.md lists them: CPU from metrics.k8s.io. */
  private static final Map<String, Object> METRICS_RULE = Map.of(
      "apiGroups", List.of("metrics.k8s.io"), "resources", List.of("pods"),
      "verbs", List.of("list"));
  /** Members from the Service's EndpointSlices. */
  private static final Map<String, Object> ENDPOINT_SLICES_RULE = Map.of(
      "apiGroups", List.of("discovery.k8s.io"), "resources", List.of("endpointslices"),
      "verbs", List.of("list", "watch"));
  /** Members from the ready Pods of a selector. */
  private static final Map<String, Object> PODS_RULE = Map.of(
      "apiGroups", List.of(""), "resources", List.of("pods"),
      "verbs", List.of("list", "watch"));

  /** loadSource prometheus with its URL, and {@code more}. */
  private static Map<String, Object> prometheusWith(Map<String, Object> more) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("loadSource", "prometheus");
    values.put("prometheusUrl", "http://prometheus:9090");
    values.putAll(more);
    return values;
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "none"})
  void noRbacWithoutALoadSource(String source) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("loadSource", source);
    values.put("serviceName", "web");
    values.put("prometheusUrl", "http://prometheus:9090");

    Rendered r = charts.render(values);

    assertThat(r.ofKind("Role")).isEmpty();
    assertThat(r.ofKind("RoleBinding")).isEmpty();
    assertThat(r.ofKind("Deployment")).hasSize(1);
  }

  @Test
  void kubernetesRoleHasExactlyTheReadmeRules() {
    Rendered r = charts.render(Map.of("loadSource", "kubernetes", "serviceName", "web"));

    Map<String, Object> role = r.one("Role", "web-respread");
    assertThat(map(role, "metadata")).containsEntry("namespace", NAMESPACE);
    // docs/load-views.md, "Kubernetes view": read-only, namespaced; nothing else is called.
    assertThat(list(role, "rules")).containsExactly(METRICS_RULE, ENDPOINT_SLICES_RULE);
  }

  @Test
  void podSelectorWithoutServiceNameReadsPodsInsteadOfEndpointSlices() {
    Rendered r = charts.render(Map.of("loadSource", "kubernetes", "podSelector", "app=web"));

    assertThat(list(r.one("Role", "web-respread"), "rules")).containsExactly(METRICS_RULE,
        PODS_RULE);
    assertThat(r.envValues()).containsExactly(entry("RESPREAD_LOAD_SOURCE", "kubernetes"),
        entry("RESPREAD_POD_SELECTOR", "app=web"));
  }

  @ParameterizedTest(name = "membersSource \"{0}\"")
  @ValueSource(strings = {"", "auto", "kubernetes"})
  void prometheusWithServiceNameGetsARoleToWatchEndpointSlicesOnly(String membersSource) {
    // In a pod, auto reads the members from the API as soon as it knows the Service: without
    // this Role the watch gets a 403 and the members fall back to Prometheus' scrape targets.
    Rendered r = charts.render(prometheusWith(Map.of("serviceName", "web",
        "podSelector", "app=web", "membersSource", membersSource)));

    assertThat(list(r.one("Role", "web-respread"), "rules"))
        .containsExactly(ENDPOINT_SLICES_RULE);
    assertThat(r.one("RoleBinding", "web-respread")).isNotNull();
  }

  @Test
  void prometheusWithOnlyPodSelectorGetsARoleToWatchPodsOnly() {
    Rendered r = charts.render(prometheusWith(Map.of("podSelector", "app=web")));

    assertThat(list(r.one("Role", "web-respread"), "rules")).containsExactly(PODS_RULE);
  }

  @Test
  void prometheusWithMembersFromPrometheusRendersNoRbac() {
    Rendered r = charts.render(prometheusWith(Map.of("serviceName", "web",
        "podSelector", "app=web", "membersSource", "prometheus")));

    assertThat(r.ofKind("Role")).isEmpty();
    assertThat(r.ofKind("RoleBinding")).isEmpty();
    assertThat(r.envValues()).containsEntry("RESPREAD_MEMBERS_SOURCE", "prometheus");
  }

  @Test
  void prometheusWithoutServiceNameOrPodSelectorRendersNoRbac() {
    // auto without a Service to watch: the members are the scrape targets that are up.
    Rendered r = charts.render(prometheusWith(Map.of()));

    assertThat(r.ofKind("Role")).isEmpty();
    assertThat(r.ofKind("RoleBinding")).isEmpty();
  }

  @Test
  void prometheusWithACustomMembersQueryRendersNoRbac() {
    // auto with a members query of one's own: the members come from that query.
    Rendered r = charts.render(prometheusWith(Map.of("serviceName", "web",
        "prometheusMembersQuery", "count(m)")));

    assertThat(r.ofKind("Role")).isEmpty();
    assertThat(r.ofKind("RoleBinding")).isEmpty();
  }

  @Test
  void roleBindingBindsTheDefaultServiceAccountOfTheReleaseNamespace() {
    Rendered r = charts.render(Map.of("loadSource", "kubernetes", "serviceName", "web"));

    Map<String, Object> binding = r.one("RoleBinding", "web-respread");
    assertThat(map(binding, "metadata")).containsEntry("namespace", NAMESPACE);
    assertThat(map(binding, "roleRef")).isEqualTo(Map.of(
        "apiGroup", "rbac.authorization.k8s.io", "kind", "Role", "name", "web-respread"));
    assertThat(list(binding, "subjects")).containsExactly(
        Map.of("kind", "ServiceAccount", "name", "default", "namespace", NAMESPACE));
    assertThat(r.ofKind("ServiceAccount")).isEmpty();
  }

  @Test
  void roleBindingBindsTheConfiguredServiceAccount() {
    Rendered r = charts.render(Map.of("loadSource", "kubernetes", "serviceName", "web",
        "rbac", Map.of("serviceAccountName", "web-sa")));

    assertThat(list(r.one("RoleBinding", "web-respread"), "subjects")).containsExactly(
        Map.of("kind", "ServiceAccount", "name", "web-sa", "namespace", NAMESPACE));
  }

  @Test
  void theExamplePodRunsAsTheServiceAccountTheRoleBinds() {
    Rendered r = charts.render(Map.of("loadSource", "kubernetes", "serviceName", "web",
        "rbac", Map.of("serviceAccountName", "web-sa")));

    assertThat(r.podSpec(r.deployment())).containsEntry("serviceAccountName", "web-sa");
  }

  @Test
  void rbacCreateFalseRendersNoRbac() {
    Rendered r = charts.render(Map.of("loadSource", "kubernetes", "serviceName", "web",
        "rbac", Map.of("create", false)));

    assertThat(r.ofKind("Role")).isEmpty();
    assertThat(r.ofKind("RoleBinding")).isEmpty();
    assertThat(r.envValues()).containsEntry("RESPREAD_LOAD_SOURCE", "kubernetes");
  }

  // The tests of a bad value render the example without its values.schema.json, which would
  // refuse the value before any template ran (ValuesSchemaTest): the templates' own checks are
  // what a chart that did not copy the schema, or a second values block, relies on.

  @Test
  void anUnknownLoadSourceFails() {
    assertThatThrownBy(() -> charts.renderWithoutSchema(Map.of("loadSource", "foo")))
        .hasMessageContaining(
            "respread.loadSource: \"foo\" (expected: none, kubernetes or prometheus)");
  }

  @Test
  void kubernetesWithoutServiceNameOrPodSelectorFails() {
    assertThatThrownBy(() -> charts.render(Map.of("loadSource", "kubernetes")))
        .hasMessageContaining("respread.serviceName: \"\" (expected: the Service's name when"
            + " loadSource is kubernetes, or podSelector with its pods' labels)");
  }

  @Test
  void prometheusWithoutUrlFails() {
    assertThatThrownBy(() -> charts.render(Map.of("loadSource", "prometheus")))
        .hasMessageContaining("respread.prometheusUrl: \"\" (expected: Prometheus' base URL");
  }

  @Test
  void anUnknownMembersSourceFails() {
    assertThatThrownBy(() -> charts.renderWithoutSchema(Map.of("membersSource", "endpoints")))
        .hasMessageContaining(
            "respread.membersSource: \"endpoints\" (expected: auto, kubernetes or prometheus)");
  }

  @Test
  void kubernetesWithMembersFromPrometheusFails() {
    assertThatThrownBy(() -> charts.render(Map.of("loadSource", "kubernetes",
        "serviceName", "web", "membersSource", "prometheus")))
        .hasMessageContaining("respread.membersSource: \"prometheus\" (expected: auto or"
            + " kubernetes when loadSource is kubernetes, which reads the members from the API;"
            + " for members from Prometheus, loadSource prometheus)");
  }

  @Test
  void membersFromKubernetesWithoutServiceNameOrPodSelectorFails() {
    assertThatThrownBy(() -> charts.render(Map.of("loadSource", "prometheus",
        "prometheusUrl", "http://prometheus:9090", "membersSource", "kubernetes")))
        .hasMessageContaining("respread.serviceName: \"\" (expected: the Service's name when"
            + " membersSource is kubernetes, or podSelector with its pods' labels)");
  }

  @Test
  void membersFromKubernetesWithAMembersQueryFails() {
    assertThatThrownBy(() -> charts.render(Map.of("loadSource", "prometheus",
        "prometheusUrl", "http://prometheus:9090", "membersSource", "kubernetes",
        "serviceName", "web", "prometheusMembersQuery", "count(m)")))
        .hasMessageContaining("respread.prometheusMembersQuery: \"count(m)\" (expected: not"
            + " set when membersSource is kubernetes, which reads the members from the API)");
  }

  @Test
  void anUnknownPrometheusMetricFails() {
    assertThatThrownBy(() -> charts.renderWithoutSchema(Map.of("prometheusMetric", "latency")))
        .hasMessageContaining("respread.prometheusMetric: \"latency\" (expected: respread,"
            + " requests, cpu or container_cpu)");
  }

  @ParameterizedTest
  @EnumSource(PrometheusLoadView.Metric.class)
  void everyPrometheusPresetOfTheLibraryIsAValidMetric(PrometheusLoadView.Metric metric) {
    String name = metric.name().toLowerCase(Locale.ROOT);

    Map<String, Object> env = charts.render(Map.of("prometheusMetric", name)).envValues();

    assertThat(env).containsExactly(entry("RESPREAD_PROMETHEUS_METRIC", name));
  }

  @Test
  void aDurationWithoutUnitFails() {
    assertThatThrownBy(() -> charts.renderWithoutSchema(Map.of("maxConnectionAge", 300)))
        .hasMessageContaining("respread.maxConnectionAge: \"300\" (expected: a duration such as"
            + " 500ms, 90s, 5m, 1h or PT5M)");
  }

  @Test
  void aMisspelledSettingFails() {
    assertThatThrownBy(() -> charts.renderWithoutSchema(Map.of("maxConectionAge", "5m")))
        .hasMessageContaining("respread.maxConectionAge: unknown setting (expected one of: ");
  }

  @Test
  void enabledMustBeTrueOrFalse() {
    assertThatThrownBy(() -> charts.renderWithoutSchema(Map.of("enabled", "yes")))
        .hasMessageContaining("respread.enabled: \"yes\" (expected: true or false)");
  }

  @Test
  void terminationGraceCoversTheLibraryDefaultsOfShutdownDelayAndGracePlusAMargin() {
    Rendered r = charts.renderWith(Map.of());

    // 5s shutdown delay + 30s grace + 5s margin: above Kubernetes' default of 30s.
    assertThat(r.podSpec(r.deployment())).containsEntry("terminationGracePeriodSeconds", 40);
  }

  @ParameterizedTest(name = "delay {0} + grace {1} + margin {2} = {3}s")
  @MethodSource("graces")
  void terminationGraceAddsShutdownDelayGraceAndMarginRoundedUp(Object delay, Object grace,
      Object margin, int expected) {
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("shutdownDelay", delay);
    values.put("maxConnectionAgeGrace", grace);
    values.put("terminationGraceMarginSeconds", margin);

    Rendered r = charts.render(values);

    assertThat(r.podSpec(r.deployment()))
        .containsEntry("terminationGracePeriodSeconds", expected);
  }

  static Stream<Arguments> graces() {
    return Stream.of(
        Arguments.of("10s", "1m", "", 75),
        Arguments.of("500ms", "30s", 0, 31),
        Arguments.of("PT10S", "PT1M30.5S", 2, 103),
        Arguments.of("0s", "1h30m", 10, 5410),
        Arguments.of("", "", 0, 35));
  }

  @Test
  void aSecondDeploymentUsesItsOwnValuesBlockThroughTheDictForm() throws Exception {
    Path worker = charts.example.resolve("templates/worker-test.yaml");
    Files.writeString(worker, String.join("\n",
        "{{- $args := dict \"context\" $ \"values\" .Values.worker.respread \"name\" \"worker\" }}",
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata:",
        "  name: worker",
        "spec:",
        "  template:",
        "    spec:",
        "      terminationGracePeriodSeconds: "
            + "{{ include \"respread.terminationGracePeriodSeconds\" $args }}",
        "      containers:",
        "        - name: worker",
        "          image: worker",
        "          env:",
        "            {{- include \"respread.env\" $args | nindent 12 }}",
        "---",
        "{{ include \"respread.rbac\" $args }}",
        ""));
    try {
      Rendered r = charts.renderWith(Map.of(
          "respread", Map.of("maxConnectionAge", "5m"),
          "worker", Map.of("respread", Map.of("loadSource", "kubernetes",
              "serviceName", "worker", "maxConnectionAgeGrace", "2m"))));

      assertThat(r.envValues()).containsExactly(entry("RESPREAD_MAX_CONNECTION_AGE", "5m"));
      Map<String, Object> workerDeployment = r.one("Deployment", "worker");
      assertThat(r.env(workerDeployment)).extracting(e -> e.get("name")).containsExactly(
          "POD_NAME", "POD_NAMESPACE", "RESPREAD_MAX_CONNECTION_AGE_GRACE",
          "RESPREAD_LOAD_SOURCE", "RESPREAD_SERVICE_NAME");
      assertThat(r.podSpec(workerDeployment)).containsEntry("terminationGracePeriodSeconds",
          130);
      assertThat(r.one("Role", "web-worker-respread")).isNotNull();
      assertThat(r.ofKind("Role")).hasSize(1);
      assertThatThrownBy(() -> charts.renderWith(Map.of(
          "worker", Map.of("respread", Map.of("loadSource", "bar")))))
          .hasMessageContaining(
              "worker.respread.loadSource: \"bar\" (expected: none, kubernetes or prometheus)");
    } finally {
      Files.delete(worker);
    }
  }

  @Test
  void theExampleCarriesTheLibrarysValuesBlockUnchanged() {
    Map<String, Object> library = ChartFixture.readYaml(charts.library.resolve("values.yaml"));
    Map<String, Object> example = ChartFixture.readYaml(charts.example.resolve("values.yaml"));

    assertThat(library).containsOnlyKeys("respread");
    assertThat(example.get("respread")).isEqualTo(library.get("respread"));
  }

  @Test
  void helmLintPassesOnTheLibraryChart() {
    LintResult result = new Helm(charts.library).lint().strict().call();

    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
  }

  @Test
  void helmLintPassesOnTheExampleChart() {
    LintResult result = new Helm(charts.example).lint().strict().call();

    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
  }
}
