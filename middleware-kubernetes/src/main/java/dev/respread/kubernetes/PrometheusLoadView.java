package dev.respread.kubernetes;

import static dev.respread.kubernetes.internal.Variables.POD_NAME;
import static dev.respread.kubernetes.internal.Variables.POD_NAMESPACE;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_INTERVAL;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_MEAN_QUERY;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_MEMBERS_QUERY;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_METRIC;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_OWN_QUERY;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_TIMEOUT;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_TOKEN_FILE;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_URL;
import static dev.respread.kubernetes.internal.Variables.PROMETHEUS_WINDOW;
import static dev.respread.kubernetes.internal.Variables.SERVICE_NAME;
import static java.util.Objects.requireNonNull;

import dev.respread.LoadSnapshot;
import dev.respread.LoadView;
import dev.respread.Ticker;
import dev.respread.internal.ConfigProblems;
import dev.respread.kubernetes.internal.FailureCause;
import dev.respread.kubernetes.internal.PromQl;
import dev.respread.kubernetes.internal.Refresher;
import dev.respread.kubernetes.internal.Settings;
import dev.respread.kubernetes.internal.ViewHealth;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link LoadView} read from Prometheus with PromQL over its HTTP API ({@code /api/v1/query}).
 *
 * <p>Three queries give this pod's load, the Service's mean load and the number of members that
 * report one. They default to a {@link Metric preset}: the request rate of Micrometer's
 * {@code http.server.requests} timer, or Micrometer's {@code process.cpu.usage}. Queries are
 * templates in which {@code {pod}}, {@code {namespace}}, {@code {service}} and {@code {window}}
 * are replaced; each must return one series. The view sends them as one query every
 * {@link Builder#interval(Duration) interval} (default 15 s), so the whole Service costs N
 * queries per interval.
 *
 * <p>The defaults expect the labels that the Prometheus Operator and the usual Kubernetes scrape
 * configurations put on every series: {@code namespace}, {@code pod} and {@code service}. Pods
 * whose target is not up are left out of the mean and the count, so a pod that went away does
 * not linger in the mean for a whole rate window.
 *
 * <p><b>Limitation of the defaults:</b> Prometheus does not know readiness. A pod that is not
 * ready, or is terminating, is still scraped, its target is up, and it counts in the mean and
 * the members although the Service sends it no new connections; with little traffic it drags
 * the mean down and makes the other pods look hot. The {@link KubernetesLoadView} has no such
 * ghosts. With kube-state-metrics installed, restrict the per-pod series to ready pods that are
 * not being deleted in your own mean and members queries, for example
 * {@code ... and on (pod) (kube_pod_status_ready{namespace="{namespace}",condition="true"} == 1)
 * unless on (pod) kube_pod_deletion_timestamp{namespace="{namespace}"}}; the project README
 * gives both queries in full. The defaults do not depend on kube-state-metrics.
 *
 * <p>Reads happen on one daemon thread; {@link #latest()} never waits. When Prometheus cannot be
 * read (down, 401, 403, timeout, garbage, NaN) the view keeps its last snapshot, which turns
 * stale, logs once, and reports {@code respread.load.view.state} and
 * {@code respread.load.view.failures}.
 */
public final class PrometheusLoadView implements LoadView {
  static final String QUERY = "query";

  /** The default queries. */
  public enum Metric {
    /**
     * Requests per second from Micrometer's {@code http.server.requests} timer
     * ({@code http_server_requests_seconds_count}), over the window. Noise floor 1 request/s.
     */
    REQUESTS("sum(rate(http_server_requests_seconds_count{namespace=\"{namespace}\","
        + "pod=\"{pod}\"}[{window}]))",
        "sum by (pod) (rate(http_server_requests_seconds_count{namespace=\"{namespace}\","
            + "service=\"{service}\"}[{window}]))", 1.0),
    /**
     * Micrometer's {@code process.cpu.usage}: the JVM's recent CPU use as a fraction of the CPUs
     * it may use. Noise floor 0.02.
     */
    CPU("sum(process_cpu_usage{namespace=\"{namespace}\",pod=\"{pod}\"})",
        "sum by (pod) (process_cpu_usage{namespace=\"{namespace}\",service=\"{service}\"})",
        0.02);

    private final String own;
    private final String perPod;
    private final double noiseFloor;

    Metric(String own, String perPod, double noiseFloor) {
      this.own = own;
      this.perPod = perPod;
      this.noiseFloor = noiseFloor;
    }

    /** The default own-load query. */
    public String ownQuery() {
      return own;
    }

    /**
     * The default mean-load query: the mean over pods whose target is up, which includes pods
     * that are not ready or are terminating (see the class description).
     */
    public String meanQuery() {
      return "avg(" + upPods() + ")";
    }

    /** The default members query: how many pods whose target is up report a load. */
    public String membersQuery() {
      return "count(" + upPods() + ")";
    }

    private String upPods() {
      return perPod + " and on (pod) (max by (pod) (up{namespace=\"{namespace}\","
          + "service=\"{service}\"}) == 1)";
    }
  }

  private final URI queryUri;
  private final String query;
  private final Duration timeout;
  private final Path tokenFile;
  private final Duration window;
  private final double noiseFloor;
  private final Ticker ticker;
  private final Clock clock;
  private final HttpClient http;
  private final ViewHealth health;
  private final Refresher refresher;
  private volatile LoadSnapshot latest = LoadSnapshot.unavailable();

  private PrometheusLoadView(Builder b, String query) {
    String base = b.url.toString();
    this.queryUri = URI.create((base.endsWith("/") ? base : base + '/') + "api/v1/query");
    this.query = query;
    this.timeout = b.timeout;
    this.tokenFile = b.tokenFile;
    this.window = b.window;
    this.noiseFloor = b.noiseFloorOr(b.metric.noiseFloor);
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.http = HttpClient.newBuilder().connectTimeout(b.timeout).build();
    this.health = new ViewHealth("prometheus", b.name, List.of(QUERY), b.meterRegistry);
    this.refresher = new Refresher("prometheus-load-view");
    refresher.every(b.interval, this::refresh);
  }

  private void refresh() {
    try {
      read();
    } catch (RuntimeException e) {
      // What the request or the answer did that was not foreseen (a token file holding a line
      // break is not a legal header value) is still one failed read: counted, logged once, and
      // the view serves its last snapshot, instead of an ERROR line on every refresh.
      health.failed(QUERY, FailureCause.MALFORMED, String.valueOf(e));
    }
  }

  private void read() {
    String body;
    try {
      HttpRequest.Builder request = HttpRequest.newBuilder(queryUri).timeout(timeout)
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(
              "query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)));
      if (tokenFile != null) {
        // Read on every refresh: projected service-account tokens are rotated in place.
        request.header("Authorization", "Bearer " + Files.readString(tokenFile).trim());
      }
      HttpResponse<String> response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        health.failed(QUERY, FailureCause.ofStatus(response.statusCode()),
            "HTTP " + response.statusCode());
        return;
      }
      body = response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (IOException e) {
      health.failed(QUERY, FailureCause.of(e, t -> 0), String.valueOf(e));
      return;
    }
    try {
      latest = snapshot(PromQl.parse(body));
      health.ok(QUERY);
    } catch (IOException e) {
      health.failed(QUERY, FailureCause.MALFORMED, e.getMessage());
    }
  }

  /**
   * A missing part is a series that does not exist yet, so it gives less, never a failure: no
   * members, nothing; no own or mean load (a pod whose {@code rate()} has fewer than two
   * samples, as after every rollout), membership only. A value that is there but is NaN
   * (a division by zero), infinite or negative is a broken query.
   */
  private LoadSnapshot snapshot(PromQl.Answer a) throws IOException {
    for (Double v : new Double[] {a.own, a.mean, a.members}) {
      if (v != null && !(Double.isFinite(v) && v >= 0)) {
        throw new IOException("not a load: own=" + a.own + ", mean=" + a.mean + ", members="
            + a.members);
      }
    }
    if (a.members == null || a.members < 1) {
      return LoadSnapshot.unavailable();
    }
    long at = Refresher.tickerTime(a.evaluatedAt, clock, ticker);
    int members = (int) Math.round(a.members);
    if (a.own == null || a.mean == null) {
      return LoadSnapshot.membersOnly(members, at);
    }
    return LoadSnapshot.of(a.own, a.mean, members, at);
  }

  /** The last snapshot; never blocks. */
  @Override
  public LoadSnapshot latest() {
    return latest;
  }

  /** In the queries' unit; defaults to the preset's: 1 request/s, or 0.02 of the CPUs. */
  @Override
  public double noiseFloor() {
    return noiseFloor;
  }

  /** The {@code {window}} of the queries. */
  @Override
  public Duration measurementWindow() {
    return window;
  }

  /** Queries now, on the view's thread, instead of waiting for the next period. */
  void refreshNow() {
    refresher.once(this::refresh);
  }

  /** The query sent on every refresh, for logs and tests. */
  String query() {
    return query;
  }

  ViewHealth health() {
    return health;
  }

  /** Stops the refresh thread. */
  @Override
  public void close() {
    refresher.close();
    health.close();
  }

  /** A builder of a view reading the Prometheus at {@code url}, such as {@code http://prometheus:9090}. */
  public static Builder builder(URI url) {
    return new Builder(requireNonNull(url, "url"));
  }

  /** A builder whose URL must come from {@code RESPREAD_PROMETHEUS_URL}. */
  public static Builder builder() {
    return new Builder(null);
  }

  /** A builder of {@link PrometheusLoadView}. Settings from the environment override it. */
  public static final class Builder extends LoadViewBuilder<Builder> {
    private URI url;
    private Metric metric = Metric.REQUESTS;
    private String ownQuery;
    private String meanQuery;
    private String membersQuery;
    private String podName;
    private String namespace;
    private String serviceName;
    private Duration window = Duration.ofMinutes(1);
    private Duration interval = Duration.ofSeconds(15);
    private Duration timeout = Duration.ofSeconds(5);
    private Path tokenFile;

    private Builder(URI url) {
      this.url = url;
    }

    /** The preset behind the default queries ({@code RESPREAD_PROMETHEUS_METRIC}). Default requests. */
    public Builder metric(Metric metric) {
      this.metric = requireNonNull(metric, "metric");
      return this;
    }

    /** This pod's load ({@code RESPREAD_PROMETHEUS_OWN_QUERY}). Default: the preset's. */
    public Builder ownQuery(String ownQuery) {
      this.ownQuery = requireNonNull(ownQuery, "ownQuery");
      return this;
    }

    /** The Service's mean load ({@code RESPREAD_PROMETHEUS_MEAN_QUERY}). Default: the preset's. */
    public Builder meanQuery(String meanQuery) {
      this.meanQuery = requireNonNull(meanQuery, "meanQuery");
      return this;
    }

    /**
     * How many members the mean covers ({@code RESPREAD_PROMETHEUS_MEMBERS_QUERY}). Default: the
     * preset's count of pods.
     */
    public Builder membersQuery(String membersQuery) {
      this.membersQuery = requireNonNull(membersQuery, "membersQuery");
      return this;
    }

    /** The value of {@code {pod}} ({@code POD_NAME}); required if a query uses it. */
    public Builder podName(String podName) {
      this.podName = requireNonNull(podName, "podName");
      return this;
    }

    /** The value of {@code {namespace}} ({@code POD_NAMESPACE}); required if a query uses it. */
    public Builder namespace(String namespace) {
      this.namespace = requireNonNull(namespace, "namespace");
      return this;
    }

    /** The value of {@code {service}} ({@code RESPREAD_SERVICE_NAME}); required if a query uses it. */
    public Builder serviceName(String serviceName) {
      this.serviceName = requireNonNull(serviceName, "serviceName");
      return this;
    }

    /**
     * The value of {@code {window}}, and the view's measurement window
     * ({@code RESPREAD_PROMETHEUS_WINDOW}). Default 1 m; keep it at least four scrape intervals.
     */
    public Builder window(Duration window) {
      this.window = requireNonNull(window, "window");
      return this;
    }

    /** How often the view queries ({@code RESPREAD_PROMETHEUS_INTERVAL}). Default 15 s. */
    public Builder interval(Duration interval) {
      this.interval = requireNonNull(interval, "interval");
      return this;
    }

    /** Connect and request timeout ({@code RESPREAD_PROMETHEUS_TIMEOUT}). Default 5 s. */
    public Builder timeout(Duration timeout) {
      this.timeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /**
     * A file holding a bearer token, read on every query
     * ({@code RESPREAD_PROMETHEUS_BEARER_TOKEN_FILE}). Default: no authentication.
     */
    public Builder bearerTokenFile(Path tokenFile) {
      this.tokenFile = requireNonNull(tokenFile, "tokenFile");
      return this;
    }

    /**
     * Checks the settings and starts the view; the first query runs on the view's thread.
     *
     * @throws dev.respread.InvalidConfigurationException naming every bad setting
     */
    public PrometheusLoadView build() {
      ConfigProblems problems = new ConfigProblems(environment);
      readUrl(problems);
      metric = problems.choice(PROMETHEUS_METRIC, "metric", metric, Metric.class);
      ownQuery = Settings.text(problems, PROMETHEUS_OWN_QUERY, ownQuery);
      meanQuery = Settings.text(problems, PROMETHEUS_MEAN_QUERY, meanQuery);
      membersQuery = Settings.text(problems, PROMETHEUS_MEMBERS_QUERY, membersQuery);
      podName = Settings.text(problems, POD_NAME, podName);
      namespace = Settings.text(problems, POD_NAMESPACE, namespace);
      serviceName = Settings.text(problems, SERVICE_NAME, serviceName);
      window = problems.duration(PROMETHEUS_WINDOW, "window", window, Duration.ofSeconds(1),
          Duration.ofHours(1));
      interval = problems.duration(PROMETHEUS_INTERVAL, "interval", interval,
          Duration.ofMillis(100), Duration.ofMinutes(10));
      timeout = problems.duration(PROMETHEUS_TIMEOUT, "timeout", timeout, Duration.ofMillis(100),
          Duration.ofMinutes(1));
      String token = Settings.text(problems, PROMETHEUS_TOKEN_FILE, tokenFile == null ? null
          : tokenFile.toString());
      tokenFile = token == null ? null : Path.of(token);
      if (tokenFile != null && !Files.isReadable(tokenFile)) {
        problems.crossCheck(PROMETHEUS_TOKEN_FILE, "bearerTokenFile", tokenFile.toString(),
            "a readable file holding the token");
      }
      checkShared(problems);
      String own = ownQuery != null ? ownQuery : metric.ownQuery();
      String mean = meanQuery != null ? meanQuery : metric.meanQuery();
      String members = membersQuery != null ? membersQuery : metric.membersQuery();
      String all = own + mean + members;
      requireIfUsed(problems, all, "pod", POD_NAME, "podName", podName,
          "this pod's name; set POD_NAME from the downward API (fieldRef metadata.name)");
      requireIfUsed(problems, all, "namespace", POD_NAMESPACE, "namespace",
          namespace, "this pod's namespace; set POD_NAMESPACE from the downward API "
              + "(fieldRef metadata.namespace)");
      requireIfUsed(problems, all, "service", SERVICE_NAME, "serviceName",
          serviceName, "the name of the Service, as in the service label of its series");
      problems.throwIfAny();
      Map<String, String> values = new HashMap<>();
      values.put("pod", podName);
      values.put("namespace", namespace);
      values.put("service", serviceName);
      values.put("window", promDuration(window));
      return new PrometheusLoadView(this, PromQl.render(
          PromQl.combine(own, mean, members), values));
    }

    private void readUrl(ConfigProblems problems) {
      String raw = problems.raw(PROMETHEUS_URL);
      if (raw != null) {
        try {
          url = URI.create(raw.trim());
        } catch (IllegalArgumentException e) {
          url = null;
        }
      }
      String scheme = url == null || url.getScheme() == null ? ""
          : url.getScheme().toLowerCase(Locale.ROOT);
      if (url == null || url.getHost() == null
          || !(scheme.equals("http") || scheme.equals("https"))) {
        problems.crossCheck(PROMETHEUS_URL, "url", String.valueOf(url),
            "the Prometheus base URL, such as http://prometheus.monitoring:9090");
      }
    }

    private static void requireIfUsed(ConfigProblems problems, String queries, String placeholder,
        String variable, String option, String value, String expected) {
      if (queries.contains('{' + placeholder + '}')) {
        Settings.require(problems, variable, option, value,
            expected + ", because a query uses {" + placeholder + '}');
      }
    }

    /** A PromQL range duration: whole seconds, or milliseconds below a second. */
    private static String promDuration(Duration d) {
      return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
  }
}
