package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Every PromQL expression of the Grafana dashboard and of the alert rules that
 * {@code helm-snippets/respread-monitoring} ships, run against a real Prometheus that scrapes
 * real respread pods, each checked for the shape of data its panel or alert expects.
 *
 * <p>Three pods of the Service {@code hello} ({@link PodMain}, JVMs of their own configured by
 * {@code RESPREAD_*} variables, with the Prometheus view) are scraped every second, labelled
 * {@code namespace}, {@code pod} and {@code service} as Kubernetes discovery labels them. Two
 * grpc-java clients call {@code pod-1} directly, so that it serves every request: an imbalance
 * respread cannot fix, which is what the imbalance alert is for. {@code pod-3}'s view points at
 * a port where nothing listens, so that it fails. The Prometheus loads the plain rules file.
 * Connections live 3 s, so that there are drains to count. The dashboard's variables become
 * {@code namespace="demo"}, {@code service="hello"} and a 15 s {@code $__rate_interval}.
 *
 * <p>Needs Debian's {@code prometheus} (installed by {@code .ci/run}); 40 to 50 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardQueriesTest {
  static final Path MONITORING = Path.of("..", "helm-snippets", "respread-monitoring")
      .toAbsolutePath().normalize();
  static final Path DASHBOARD = MONITORING.resolve("dashboards/respread.json");
  static final Path RULES = MONITORING.resolve("rules/respread.rules.yaml");
  static final String NAMESPACE = "demo";
  static final String SERVICE = "hello";
  /**
   * What Grafana puts for {@code $__rate_interval} is at least four scrape intervals; 15 s over a
   * 1 s scrape holds several drains of 3 s connections.
   */
  static final String RATE_INTERVAL = "15s";
  static final Set<String> PODS = Set.of("pod-1", "pod-2", "pod-3");
  static final Set<String> REASONS = Set.of("max_age", "max_requests", "load", "scale_out",
      "shutdown");
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(120);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  static Path dir;

  static PrometheusServer prometheus;
  static final List<PodProcess> pods = new ArrayList<>();
  static ClientFleet clients;
  /** The instant every query reads, in Prometheus' seconds; null (now) until it is chosen. */
  static volatile String at;
  /** The instant of the last query's answer. */
  static volatile String lastAnswerTime;

  /** One series of an instant query's answer. */
  record Series(Map<String, String> labels, double value) {}

  @BeforeAll
  static void startPodsPrometheusAndClients() throws Exception {
    prometheus = PrometheusServer.start(dir.resolve("prometheus"), Duration.ofSeconds(1),
        List.of(RULES));
    int nothingListens;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      nothingListens = s.getLocalPort();
    }
    for (String name : List.of("pod-1", "pod-2", "pod-3")) {
      Map<String, String> env = new HashMap<>(ProcessCluster.VIEW_DEFAULTS);
      env.put("RESPREAD_PROMETHEUS_URL", name.equals("pod-3")
          ? "http://127.0.0.1:" + nothingListens : prometheus.url().toString());
      env.put("RESPREAD_SERVICE_NAME", SERVICE);
      env.put("RESPREAD_MAX_CONNECTION_AGE", "3s");
      env.put("POD_NAME", name);
      env.put("POD_NAMESPACE", NAMESPACE);
      pods.add(PodProcess.start(name, env, dir.resolve(name + ".log")));
    }
    for (PodProcess p : pods) {
      p.awaitReady();
    }
    prometheus.targets(pods.stream().map(p -> new PrometheusServer.Target(p.metricsTarget(),
        NAMESPACE, p.name(), SERVICE)).toList());
    clients = new ClientFleet(pods.get(0).address(), new int[] {20, 20});

    // Until every panel has something to show: 15 s of scrapes, drains, each working view
    // trusted, and the rules evaluated.
    awaitUntil("15 s of scrapes of every pod", () -> query(
        "count_over_time(up{namespace=\"demo\"}[15s]) >= 12").size() == 3);
    awaitUntil("drains", () -> !query("sum(increase(respread_connections_drained_total"
        + "{namespace=\"demo\"}[15s])) > 0").isEmpty());
    awaitUntil("pod-1 and pod-2 trust their views", () -> query(
        "respread_load_view_usable{namespace=\"demo\"} == 1").size() == 2);
    awaitUntil("the imbalance and failing view alerts pending",
        () -> alerts().keySet().containsAll(Set.of("RespreadImbalance",
            "RespreadLoadViewFailing")));
    // Every query then reads the same instant, one at which every scrape of the last 15 s
    // succeeded: on a busy machine a scrape can time out, and a failed scrape ends its series
    // at once (Prometheus' staleness), which would take a pod out of whichever query came next.
    awaitUntil("every scrape of the last 15 s succeeded, with both views trusted", () -> {
      List<Series> up = query("min_over_time(up{namespace=\"demo\"}[15s]) == 1");
      String then = lastAnswerTime;
      if (up.size() == 3 && queryAt("respread_load_view_usable{namespace=\"demo\"} == 1",
          then).size() == 2) {
        at = then;
        return true;
      }
      return false;
    });
  }

  @AfterAll
  static void stopEverything() throws InterruptedException {
    if (clients != null) {
      clients.close();
    }
    pods.forEach(PodProcess::close);
    if (prometheus != null) {
      prometheus.close();
    }
  }

  /** Every query of the dashboard: its panel, its refId and its expression. */
  static Stream<Arguments> dashboardQueries() throws IOException {
    Map<String, Object> dashboard = readYaml(DASHBOARD);
    List<Arguments> out = new ArrayList<>();
    for (Map<String, Object> panel : list(dashboard, "panels")) {
      if (panel.containsKey("targets")) {
        for (Map<String, Object> t : list(panel, "targets")) {
          out.add(Arguments.of(panel.get("title"), t.get("refId"), t.get("expr")));
        }
      }
    }
    return out.stream();
  }

  /** What each query of the dashboard returns here, by "panel title / refId". */
  static final Map<String, Consumer<List<Series>>> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put("Requests per second, per pod / A", r -> {
      Map<String, Double> byPod = byPod(r);
      // The clients call pod-1 only; the others exist at 0 from start-up.
      assertThat(byPod.get("pod-1")).isGreaterThan(10.0);
      assertThat(byPod.get("pod-2")).isZero();
      assertThat(byPod.get("pod-3")).isZero();
    });
    EXPECTED.put("CPU per pod (cores) / A", r -> assertThat(byPod(r).values())
        .allSatisfy(cores -> assertThat(cores).isGreaterThan(0.0)));
    EXPECTED.put("Imbalance: busiest pod over the mean / A", r -> {
      // One pod serves all: its rate over the mean of three is 3.
      assertThat(single(r)).isCloseTo(3.0, within(0.3));
    });
    EXPECTED.put("Load ratio per pod (own load / fair share) / A", r -> {
      Map<String, Double> byPod = byPod(r);
      assertThat(byPod.get("pod-1")).isGreaterThan(1.5);
      assertThat(byPod.get("pod-2")).isLessThan(0.5);
      assertThat(byPod.get("pod-3")).isNaN();
    });
    EXPECTED.put("Drains by reason (per second) / A", r -> {
      Map<String, Double> byReason = by("reason", r);
      assertThat(byReason).containsOnlyKeys(REASONS);
      assertThat(byReason.values().stream().mapToDouble(Double::doubleValue).sum())
          .isGreaterThan(0.0);
    });
    EXPECTED.put("Forced closes / A", r -> assertThat(byPod(r).values())
        .allSatisfy(n -> assertThat(n).isZero()));
    EXPECTED.put("Drains held back by the budget (per second) / A",
        r -> assertThat(by("reason", r)).containsOnlyKeys(REASONS));
    EXPECTED.put("Open and draining connections per pod / A", r -> {
      Map<String, Double> byPod = byPod(r);
      assertThat(byPod.get("pod-1")).isGreaterThanOrEqualTo(1.0);
      assertThat(byPod.get("pod-2")).isZero();
    });
    EXPECTED.put("Open and draining connections per pod / B",
        r -> assertThat(byPod(r).values()).allSatisfy(n -> assertThat(n).isNotNegative()));
    // pod-3's view knows no member; pod-1's and pod-2's count the three pods that are up.
    EXPECTED.put("Members and pods / A", r -> assertThat(single(r)).isZero());
    EXPECTED.put("Members and pods / B", r -> assertThat(single(r)).isEqualTo(3.0));
    EXPECTED.put("Members and pods / C", r -> assertThat(single(r)).isEqualTo(3.0));
    EXPECTED.put("Members and pods / D", r -> assertThat(single(r)).isEqualTo(1.0));
    EXPECTED.put("Load view state per pod / A", r -> {
      assertThat(r).allSatisfy(s -> assertThat(s.labels())
          .containsOnlyKeys("pod", "source", "view")
          .containsEntry("source", "prometheus").containsEntry("view", "default"));
      // 1 ok, 2 failing (0 would be starting).
      assertThat(byPod(r, "source", "view")).containsExactlyInAnyOrderEntriesOf(
          Map.of("pod-1", 1.0, "pod-2", 1.0, "pod-3", 2.0));
    });
    EXPECTED.put("Load view failures by cause (per second) / A", r -> {
      assertThat(r).allSatisfy(s -> assertThat(s.labels()).containsOnlyKeys("pod", "cause"));
      assertThat(r).extracting(s -> s.labels().get("pod")).containsAll(PODS);
      assertThat(r).filteredOn(s -> s.value() > 0).extracting(Series::labels)
          .containsExactly(Map.of("pod", "pod-3", "cause", "unreachable"));
    });
    EXPECTED.put("Load controller trusts the view / A", r -> assertThat(byPod(r))
        .containsExactlyInAnyOrderEntriesOf(Map.of("pod-1", 1.0, "pod-2", 1.0, "pod-3", 0.0)));
    EXPECTED.put("Age of the load values / A", r -> {
      Map<String, Double> byPod = byPod(r);
      assertThat(byPod.get("pod-1")).isBetween(0.0, 60.0);
      assertThat(byPod.get("pod-3")).isNaN();
    });
  }

  @Order(1)
  @ParameterizedTest(name = "{0} / {1}")
  @MethodSource("dashboardQueries")
  void everyDashboardQueryReturnsTheShapeItsPanelShows(String panel, String refId,
      String expr) throws Exception {
    Consumer<List<Series>> expected = EXPECTED.get(panel + " / " + refId);
    assertThat(expected).as("an expected shape for the query of \"%s\" / %s", panel, refId)
        .isNotNull();

    List<Series> result = query(substitute(expr));

    assertThat(result).as("%s%n%s", expr, targets()).isNotEmpty();
    try {
      expected.accept(result);
    } catch (AssertionError e) {
      throw new AssertionError(expr + " returned " + result + "\n" + targets(), e);
    }
  }

  @Order(1)
  @Test
  void everyExpectedShapeBelongsToAQueryOfTheDashboard() throws IOException {
    assertThat(dashboardQueries().map(a -> a.get()[0] + " / " + a.get()[1]).toList())
        .containsExactlyInAnyOrderElementsOf(EXPECTED.keySet());
  }

  @Order(1)
  @Test
  void theNamespaceAndServiceVariablesListThePodsNamespaceAndService() throws Exception {
    Map<String, Object> dashboard = readYaml(DASHBOARD);
    List<Map<String, Object>> vars = list(map(dashboard, "templating"), "list");
    Map<String, String> definitions = new TreeMap<>();
    vars.stream().filter(v -> "query".equals(v.get("type")))
        .forEach(v -> definitions.put((String) v.get("name"), (String) v.get("definition")));

    assertThat(labelValues(definitions.get("namespace"))).containsExactly(NAMESPACE);
    assertThat(labelValues(definitions.get("service"))).containsExactly(SERVICE);
  }

  /** Every alert: its name and expression. */
  static Stream<Arguments> alertRules() throws IOException {
    List<Arguments> out = new ArrayList<>();
    for (Map<String, Object> group : list(readYaml(RULES), "groups")) {
      for (Map<String, Object> rule : list(group, "rules")) {
        out.add(Arguments.of(rule.get("alert"), rule.get("expr")));
      }
    }
    return out.stream();
  }

  @Order(1)
  @ParameterizedTest(name = "{0}")
  @MethodSource("alertRules")
  void everyAlertExpressionReturnsTheSeriesItAlertsOn(String alert, String expr)
      throws Exception {
    List<Series> result = query(expr);

    switch (alert) {
      case "RespreadImbalance" -> {
        // One series per Service, valued at the ratio: 3, with every request on pod-1.
        assertThat(result).extracting(Series::labels).containsExactly(
            Map.of("namespace", NAMESPACE, "service", SERVICE));
        assertThat(result.get(0).value()).isCloseTo(3.0, within(0.3));
      }
      case "RespreadForcedCloses" -> {
        // Nothing was closed hard: no series. Without the threshold, one per Service, at 0.
        assertThat(result).isEmpty();
        List<Series> all = query(expr.strip().replaceAll("\\s*> 0$", ""));
        assertThat(all).extracting(Series::labels).containsExactly(
            Map.of("namespace", NAMESPACE, "service", SERVICE));
        assertThat(all.get(0).value()).isZero();
      }
      case "RespreadLoadViewFailing" -> assertThat(result).extracting(Series::labels)
          .containsExactly(Map.of("namespace", NAMESPACE, "service", SERVICE, "pod", "pod-3",
              "source", "prometheus", "view", "default"));
      default -> throw new AssertionError("no expectation for " + alert);
    }
  }

  @Order(1)
  @Test
  void prometheusLoadsTheRulesFileAndEvaluatesEveryRuleWithoutError() throws Exception {
    Map<String, Object> data = map(api("/api/v1/rules"), "data");
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Map<String, Object> group : list(data, "groups")) {
      rules.addAll(list(group, "rules"));
    }

    assertThat(rules).extracting(r -> r.get("name")).containsExactly("RespreadImbalance",
        "RespreadForcedCloses", "RespreadLoadViewFailing");
    assertThat(rules).allSatisfy(r -> assertThat(r).containsEntry("health", "ok"));
  }

  @Order(1)
  @Test
  void theImbalanceAndFailingViewAlertsArePendingTheirTenMinutes() throws Exception {
    Map<String, List<Map<String, String>>> alerts = alerts();

    assertThat(alerts).containsOnlyKeys("RespreadImbalance", "RespreadLoadViewFailing");
    assertThat(alerts.get("RespreadLoadViewFailing")).singleElement()
        .satisfies(a -> assertThat(a).containsEntry("pod", "pod-3")
            .containsEntry("state", "pending"));
    assertThat(alerts.get("RespreadImbalance")).singleElement()
        .satisfies(a -> assertThat(a).containsEntry("service", SERVICE)
            .containsEntry("state", "pending"));
  }

  @Order(2)
  @Test
  void theClientsLostNoCallWhileTheirConnectionsWereRecycled() throws Exception {
    clients.stop();

    assertThat(clients.failed()).as("failed calls %s", clients.failuresByCode()).isZero();
    assertThat(clients.succeeded()).isPositive();
    assertThat(clients.reconnects()).as("connections recycled").isPositive();
  }

  static String substitute(String expr) {
    String q = expr.replace("$namespace", NAMESPACE).replace("$service", SERVICE)
        .replace("$__rate_interval", RATE_INTERVAL);
    assertThat(q).as("variables left in %s", expr).doesNotContain("$");
    return q;
  }

  /**
   * A Grafana {@code label_values(metric, label)} variable query, as Grafana sends it: the
   * label's values on the series that match the selector.
   */
  static List<String> labelValues(String definition) throws Exception {
    var m = java.util.regex.Pattern.compile("label_values\\((.*), *(\\w+)\\)")
        .matcher(substitute(definition));
    assertThat(m.matches()).as(definition).isTrue();
    @SuppressWarnings("unchecked")
    List<String> values = (List<String>) api("/api/v1/label/" + m.group(2) + "/values?match[]="
        + URLEncoder.encode(m.group(1), StandardCharsets.UTF_8)).get("data");
    return values;
  }

  /** An instant query's vector, at {@link #at}. */
  static List<Series> query(String promql) throws Exception {
    return queryAt(promql, at);
  }

  /** An instant query's vector at {@code time} (Prometheus' seconds), or now if null. */
  static List<Series> queryAt(String promql, String time) throws Exception {
    Map<String, Object> data = map(api("/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8)
        + (time == null ? "" : "&time=" + time)), "data");
    assertThat(data).as(promql).containsEntry("resultType", "vector");
    List<Series> out = new ArrayList<>();
    for (Map<String, Object> s : list(data, "result")) {
      @SuppressWarnings("unchecked")
      Map<String, String> labels = (Map<String, String>) (Map<?, ?>) map(s, "metric");
      List<?> value = (List<?>) s.get("value");
      lastAnswerTime = new java.math.BigDecimal(String.valueOf(value.get(0))).toPlainString();
      out.add(new Series(Map.copyOf(labels), Double.parseDouble(String.valueOf(value.get(1)))));
    }
    return out;
  }

  /** Firing or pending alerts, by name: each one's labels and state. */
  static Map<String, List<Map<String, String>>> alerts() throws Exception {
    Map<String, List<Map<String, String>>> out = new TreeMap<>();
    for (Map<String, Object> a : list(map(api("/api/v1/alerts"), "data"), "alerts")) {
      @SuppressWarnings("unchecked")
      Map<String, String> labels = new HashMap<>((Map<String, String>) (Map<?, ?>)
          map(a, "labels"));
      labels.put("state", (String) a.get("state"));
      out.computeIfAbsent(labels.get("alertname"), k -> new ArrayList<>()).add(labels);
    }
    return out;
  }

  /** The scrape targets' health and last error, for failure messages. */
  static String targets() {
    try {
      return list(map(api("/api/v1/targets"), "data"), "activeTargets").stream()
          .map(t -> map(t, "labels").get("pod") + " " + t.get("health") + " "
              + t.get("lastError") + " " + t.get("lastScrapeDuration"))
          .collect(Collectors.joining("\n", "targets:\n", ""));
    } catch (Exception e) {
      return "targets: " + e;
    }
  }

  static Map<String, Object> api(String pathAndQuery) throws Exception {
    URI uri = URI.create(prometheus.url() + pathAndQuery);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s: %s", uri, r.body()).isEqualTo(200);
    Map<String, Object> body = new Yaml().load(r.body());
    assertThat(body).as("%s", uri).containsEntry("status", "success");
    return body;
  }

  static Map<String, Double> byPod(List<Series> r, String... alsoAllowed) {
    Map<String, Double> out = new TreeMap<>();
    for (Series s : r) {
      Set<String> allowed = Stream.concat(Stream.of("pod"), Stream.of(alsoAllowed))
          .collect(Collectors.toSet());
      assertThat(allowed).as("labels %s", s.labels()).containsAll(s.labels().keySet());
      assertThat(out.put(s.labels().get("pod"), s.value())).as("one series per pod").isNull();
    }
    assertThat(out).containsOnlyKeys(PODS);
    return out;
  }

  static Map<String, Double> by(String label, List<Series> r) {
    Map<String, Double> out = new TreeMap<>();
    for (Series s : r) {
      assertThat(s.labels()).containsOnlyKeys(label);
      out.put(s.labels().get(label), s.value());
    }
    return out;
  }

  static double single(List<Series> r) {
    assertThat(r).singleElement().satisfies(s -> assertThat(s.labels()).isEmpty());
    return r.get(0).value();
  }

  static void awaitUntil(String what, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not within " + SETTLE_TIMEOUT.toSeconds() + " s: " + what
            + "\nprometheus: " + prometheus.log() + "\npod-1: "
            + Processes.tail(dir.resolve("pod-1.log"), 2000));
      }
      Thread.sleep(500);
    }
  }

  static Map<String, Object> readYaml(Path file) throws IOException {
    return new Yaml().load(Files.readString(file));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Map<String, Object> m, String key) {
    return (Map<String, Object>) java.util.Objects.requireNonNull(m.get(key), key);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Map<String, Object> m, String key) {
    return (List<Map<String, Object>>) java.util.Objects.requireNonNull(m.get(key), key);
  }
}
