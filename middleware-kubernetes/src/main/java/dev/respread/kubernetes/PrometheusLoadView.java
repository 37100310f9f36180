package dev.respread.kubernetes;

import static dev.respread.kubernetes.internal.Variables.KUBERNETES_SERVICE_HOST;
import static dev.respread.kubernetes.internal.Variables.KUBERNETES_TIMEOUT;
import static dev.respread.kubernetes.internal.Variables.MEMBERS_SOURCE;
import static dev.respread.kubernetes.internal.Variables.POD_NAME;
import static dev.respread.kubernetes.internal.Variables.POD_NAMESPACE;
import static dev.respread.kubernetes.internal.Variables.POD_SELECTOR;
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

import dev.respread.LoadView;
import dev.respread.internal.ConfigProblems;
import dev.respread.kubernetes.internal.InformerMembers;
import dev.respread.kubernetes.internal.KubernetesApi;
import dev.respread.kubernetes.internal.PromQl;
import dev.respread.kubernetes.internal.PrometheusQuery;
import dev.respread.kubernetes.internal.PrometheusQuery.Shape;
import dev.respread.kubernetes.internal.Settings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link LoadView} whose load is read from Prometheus with PromQL over its HTTP API
 * ({@code /api/v1/query}), and whose members come from the Kubernetes API or from Prometheus
 * ({@link MembersSource}).
 *
 * <p>The load is each pod's value of a {@link Metric preset}; by default respread's own request
 * counter, which every adapter feeds and which exists, at 0, from the moment the recycler starts.
 * The view sends one query every {@link Builder#interval(Duration) interval} (default 15 s), so
 * the whole Service costs N queries per interval. It answers with one series per pod, and
 * without the Kubernetes API also with the pods whose scrape target is up; {@code {pod}},
 * {@code {namespace}}, {@code {service}} and {@code {window}} in the queries are filled in.
 *
 * <p>The members are the Service's ready endpoints from the API (watched: a scale-out shows
 * within about a second), or, without the API, the pods whose scrape target of the Service is up,
 * which counts a new pod from its first scrape, before its first request. The mean is taken over
 * the members that report a load: a member whose {@code rate()} has fewer than two samples yet
 * is left out of it, and this pod's load comes from the same query, so own and mean always form
 * a consistent pair.
 *
 * <p>The defaults expect the labels that the Prometheus Operator and the usual Kubernetes scrape
 * configurations put on every series: {@code namespace}, {@code pod} and {@code service}.
 *
 * <p><b>Limitation of members from Prometheus:</b> Prometheus does not know readiness. A pod
 * that is not ready, or is terminating, is still scraped, its target is up, and it counts in the
 * mean and the members although the Service sends it no new connections; with little traffic it
 * drags the mean down and makes the other pods look hot. Members from the Kubernetes API have no
 * such ghosts. Without the API but with kube-state-metrics installed, restrict the per-pod series
 * to ready pods that are not being deleted in your own mean and members queries, for example
 * {@code ... and on (pod) (kube_pod_status_ready{namespace="{namespace}",condition="true"} == 1)
 * unless on (pod) kube_pod_deletion_timestamp{namespace="{namespace}"}}; the project's docs/load-views.md
 * gives both queries in full.
 *
 * <p><b>Custom queries</b> ({@link Builder#ownQuery}, {@link Builder#meanQuery},
 * {@link Builder#membersQuery}) aggregate in Prometheus instead: once any is set, the view sends
 * own, mean and (without the API) members queries, the preset's for those not set, and takes
 * own and mean as they come.
 *
 * <p>Reads happen on one daemon thread, and members from the API in an informer; {@link #latest()}
 * never waits. When Prometheus or the API cannot be read (down, 401, 403, timeout, garbage, NaN)
 * the view keeps its last values, which turn stale, logs once, and reports
 * {@code respread.load.view.state} and {@code respread.load.view.failures}, tagged
 * {@code source=prometheus}.
 */
public final class PrometheusLoadView extends ComposedLoadView {
  static final String QUERY = PrometheusQuery.CHANNEL;
  static final String MEMBERS = InformerMembers.CHANNEL;

  /** Pods whose scrape target of the Service is up: the members without the Kubernetes API. */
  private static final String UP_PODS = "max by (pod) (up{namespace=\"{namespace}\","
      + "service=\"{service}\"}) == 1";

  /** {@code perPod} for the pods whose target is up only. */
  private static String upOnly(String perPod) {
    return perPod + " and on (pod) (" + UP_PODS + ")";
  }

  /** The default queries. */
  public enum Metric {
    /**
     * Requests per second that respread's engine counted ({@code respread.requests}, as
     * {@code respread_requests_total}), over the window, summed over the pod's servers. Every
     * adapter feeds it, and it exists from the moment the recycler starts, so a new pod has a
     * load from its second scrape. Noise floor 1 request/s. The default.
     */
    RESPREAD("sum(rate(respread_requests_total{namespace=\"{namespace}\",pod=\"{pod}\"}"
        + "[{window}]))",
        "sum by (pod) (rate(respread_requests_total{namespace=\"{namespace}\","
            + "service=\"{service}\"}[{window}]))", 1.0),
    /**
     * Requests per second from Micrometer's {@code http.server.requests} timer
     * ({@code http_server_requests_seconds_count}), over the window. The series appears with the
     * first request, so a pod has no load before it. Noise floor 1 request/s.
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
        0.02),
    /**
     * The pod's CPU in cores from cAdvisor ({@code container_cpu_usage_seconds_total}, scraped
     * from the kubelets), over the window, summed over its containers. Its series carry no
     * {@code service} label, so the per-pod query reads the namespace's pods and the view keeps
     * the members; in a namespace shared with many pods, prefer members from the Kubernetes API
     * and mind that the answer holds every pod of the namespace. Noise floor 0.05 cores.
     */
    CONTAINER_CPU("sum(rate(container_cpu_usage_seconds_total{namespace=\"{namespace}\","
        + "pod=\"{pod}\",container!=\"\"}[{window}]))",
        "sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=\"{namespace}\","
            + "container!=\"\"}[{window}]))", 0.05);

    private final String own;
    private final String perPod;
    private final double noiseFloor;

    Metric(String own, String perPod, double noiseFloor) {
      this.own = own;
      this.perPod = perPod;
      this.noiseFloor = noiseFloor;
    }

    /**
     * Each pod's load, one series per pod with a {@code pod} label: the query the view sends,
     * restricted to the members.
     */
    public String podQuery() {
      return perPod;
    }

    /** This pod's load, sent with custom queries. */
    public String ownQuery() {
      return own;
    }

    /**
     * The mean load over the pods whose target is up and that report a load, sent with custom
     * queries. It includes pods that are not ready or are terminating (see the class description).
     */
    public String meanQuery() {
      return "avg(" + upOnly(perPod) + ")";
    }

    /**
     * How many pods of the Service have a scrape target that is up, whether or not they report a
     * load yet; sent with custom queries when the members come from Prometheus.
     */
    public String membersQuery() {
      return "count(" + UP_PODS + ")";
    }
  }

  private final PrometheusQuery query;

  private PrometheusLoadView(Builder b, InformerMembers<?> members, PrometheusQuery query,
      KubernetesClient ownedClient) {
    super("prometheus", b, b.podName, b.noiseFloorOr(b.metric.noiseFloor), members, query,
        ownedClient);
    this.query = query;
  }

  /** The query sent on every refresh, for logs and tests. */
  String query() {
    return query.query();
  }

  /** A builder of a view reading the Prometheus at {@code url}, such as {@code http://prometheus:9090}. */
  public static Builder builder(URI url) {
    return new Builder(requireNonNull(url, "url"));
  }

  /** A builder whose URL must come from {@code RESPREAD_PROMETHEUS_URL}. */
  public static Builder builder() {
    return new Builder(null);
  }

  /**
   * A builder of {@link PrometheusLoadView}. Settings from the environment override it. The noise
   * floor defaults to the preset's: 1 request/s, 0.02 of the CPUs, or 0.05 cores. The measurement
   * window is the {@link #window(Duration) window}.
   */
  public static final class Builder extends LoadViewBuilder<Builder> {
    private URI url;
    private Metric metric = Metric.RESPREAD;
    private String ownQuery;
    private String meanQuery;
    private String membersQuery;
    private String podName;
    private String namespace;
    private String serviceName;
    private Map<String, String> podSelector = Map.of();
    private MembersSource membersSource = MembersSource.AUTO;
    private KubernetesClient client;
    private Duration kubernetesTimeout = Duration.ofSeconds(5);
    private Duration window = Duration.ofMinutes(1);
    private Duration interval = Duration.ofSeconds(15);
    private Duration timeout = Duration.ofSeconds(5);
    private Path tokenFile;

    private Builder(URI url) {
      this.url = url;
    }

    /**
     * The preset behind the default queries ({@code RESPREAD_PROMETHEUS_METRIC}). Default
     * {@link Metric#RESPREAD}.
     */
    public Builder metric(Metric metric) {
      this.metric = requireNonNull(metric, "metric");
      return this;
    }

    /**
     * Where the members come from ({@code RESPREAD_MEMBERS_SOURCE}). Default
     * {@link MembersSource#AUTO}: the Kubernetes API in a cluster, else Prometheus.
     */
    public Builder members(MembersSource membersSource) {
      this.membersSource = requireNonNull(membersSource, "membersSource");
      return this;
    }

    /**
     * The client that reads the members from the Kubernetes API; the view does not close it.
     * With {@link MembersSource#AUTO} it makes the members come from the API. Default: a client
     * the view creates the way fabric8 finds the API server, and closes.
     */
    public Builder kubernetesClient(KubernetesClient client) {
      this.client = requireNonNull(client, "client");
      return this;
    }

    /**
     * The request timeout of the Kubernetes client the view creates for the members
     * ({@code RESPREAD_KUBERNETES_TIMEOUT}). Default 5 s.
     */
    public Builder kubernetesTimeout(Duration kubernetesTimeout) {
      this.kubernetesTimeout = requireNonNull(kubernetesTimeout, "kubernetesTimeout");
      return this;
    }

    /**
     * Makes this a view of custom queries: this pod's load ({@code RESPREAD_PROMETHEUS_OWN_QUERY}).
     * Default: the preset's, and the per-pod query unless another custom query is set.
     */
    public Builder ownQuery(String ownQuery) {
      this.ownQuery = requireNonNull(ownQuery, "ownQuery");
      return this;
    }

    /**
     * Makes this a view of custom queries: the Service's mean load
     * ({@code RESPREAD_PROMETHEUS_MEAN_QUERY}). Default: the preset's, and the per-pod query
     * unless another custom query is set.
     */
    public Builder meanQuery(String meanQuery) {
      this.meanQuery = requireNonNull(meanQuery, "meanQuery");
      return this;
    }

    /**
     * Makes this a view of custom queries whose members come from Prometheus: how many members
     * the mean covers ({@code RESPREAD_PROMETHEUS_MEMBERS_QUERY}). Default: the pods whose target
     * is up; not sent when the members come from the Kubernetes API.
     */
    public Builder membersQuery(String membersQuery) {
      this.membersQuery = requireNonNull(membersQuery, "membersQuery");
      return this;
    }

    /**
     * This pod's name ({@code POD_NAME}), the value of {@code {pod}}; required, except by custom
     * queries that do not use it.
     */
    public Builder podName(String podName) {
      this.podName = requireNonNull(podName, "podName");
      return this;
    }

    /**
     * This pod's namespace ({@code POD_NAMESPACE}), the value of {@code {namespace}}; required if
     * a query uses it or the members come from the Kubernetes API.
     */
    public Builder namespace(String namespace) {
      this.namespace = requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * The Service ({@code RESPREAD_SERVICE_NAME}): the value of {@code {service}}, and whose
     * EndpointSlices give the members from the Kubernetes API. Required if a query uses it, or,
     * without a pod selector, for members from the API.
     */
    public Builder serviceName(String serviceName) {
      this.serviceName = requireNonNull(serviceName, "serviceName");
      return this;
    }

    /**
     * Equality labels of the Service's pods ({@code RESPREAD_POD_SELECTOR}, {@code app=web}):
     * without a Service name, the ready Pods with these labels are the members from the
     * Kubernetes API. Default: none.
     */
    public Builder podSelector(Map<String, String> podSelector) {
      this.podSelector = Map.copyOf(requireNonNull(podSelector, "podSelector"));
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
     * Checks the settings and starts the view; the first query runs on the view's thread, and
     * members from the API are read in an informer, in the background.
     *
     * @throws dev.respread.InvalidConfigurationException naming every bad setting
     */
    public PrometheusLoadView build() {
      ConfigProblems problems = new ConfigProblems(environment);
      readUrl(problems);
      metric = problems.choice(PROMETHEUS_METRIC, "metric", metric, Metric.class);
      membersSource = problems.choice(MEMBERS_SOURCE, "membersSource", membersSource,
          MembersSource.class);
      ownQuery = Settings.text(problems, PROMETHEUS_OWN_QUERY, ownQuery);
      meanQuery = Settings.text(problems, PROMETHEUS_MEAN_QUERY, meanQuery);
      membersQuery = Settings.text(problems, PROMETHEUS_MEMBERS_QUERY, membersQuery);
      podName = Settings.text(problems, POD_NAME, podName);
      namespace = Settings.text(problems, POD_NAMESPACE, namespace);
      serviceName = Settings.text(problems, SERVICE_NAME, serviceName);
      podSelector = Settings.selector(problems, POD_SELECTOR, "podSelector", podSelector);
      window = problems.duration(PROMETHEUS_WINDOW, "window", window, Duration.ofSeconds(1),
          Duration.ofHours(1));
      interval = problems.duration(PROMETHEUS_INTERVAL, "interval", interval,
          Duration.ofMillis(100), Duration.ofMinutes(10));
      timeout = problems.duration(PROMETHEUS_TIMEOUT, "timeout", timeout, Duration.ofMillis(100),
          Duration.ofMinutes(1));
      kubernetesTimeout = problems.duration(KUBERNETES_TIMEOUT, "kubernetesTimeout",
          kubernetesTimeout, Duration.ofMillis(100), Duration.ofMinutes(1));
      String token = Settings.text(problems, PROMETHEUS_TOKEN_FILE, tokenFile == null ? null
          : tokenFile.toString());
      tokenFile = token == null ? null : Path.of(token);
      if (tokenFile != null && !Files.isReadable(tokenFile)) {
        problems.crossCheck(PROMETHEUS_TOKEN_FILE, "bearerTokenFile", tokenFile.toString(),
            "a readable file holding the token");
      }
      checkShared(problems);
      boolean fromApi = membersFromApi(problems);
      Shape shape = shape(fromApi);
      String template;
      if (!shape.perPod()) {
        template = PromQl.combine(ownQuery != null ? ownQuery : metric.ownQuery(),
            meanQuery != null ? meanQuery : metric.meanQuery(),
            fromApi ? null : membersQuery != null ? membersQuery : metric.membersQuery());
      } else if (fromApi) {
        template = PromQl.combinePods(metric.podQuery(), null);
      } else {
        // Only the members' loads: the answer then grows with the Service, not with the
        // namespace (cAdvisor's series have no service label).
        template = PromQl.combinePods(upOnly(metric.podQuery()), UP_PODS);
      }
      if (shape != Shape.OWN_MEAN_AND_MEMBERS) {
        // Named members and per-pod loads are told apart by pod name.
        Settings.require(problems, POD_NAME, "podName", podName,
            "this pod's name; set POD_NAME from the downward API (fieldRef metadata.name)");
      } else {
        requireIfUsed(problems, template, "pod", POD_NAME, "podName", podName,
            "this pod's name; set POD_NAME from the downward API (fieldRef metadata.name)");
      }
      if (fromApi) {
        Settings.require(problems, POD_NAMESPACE, "namespace", namespace,
            "this pod's namespace; set POD_NAMESPACE from the downward API "
                + "(fieldRef metadata.namespace), because the members come from the API");
      } else {
        requireIfUsed(problems, template, "namespace", POD_NAMESPACE, "namespace",
            namespace, "this pod's namespace; set POD_NAMESPACE from the downward API "
                + "(fieldRef metadata.namespace)");
      }
      if (!fromApi || serviceName != null || !podSelector.isEmpty()) {
        // Else already reported: members from the API need the Service's name too.
        requireIfUsed(problems, template, "service", SERVICE_NAME, "serviceName",
            serviceName, "the name of the Service, as in the service label of its series");
      }
      problems.throwIfAny();
      Map<String, String> values = new HashMap<>();
      values.put("pod", podName);
      values.put("namespace", namespace);
      values.put("service", serviceName);
      values.put("window", promDuration(window));
      PrometheusQuery query = new PrometheusQuery(url, PromQl.render(template, values), shape,
          interval, timeout, tokenFile, window, ticker, clock);
      if (!fromApi) {
        return new PrometheusLoadView(this, null, query, null);
      }
      KubernetesClient created = client == null ? KubernetesApi.client(kubernetesTimeout) : null;
      try {
        InformerMembers<?> members = InformerMembers.of(client != null ? client : created,
            namespace, serviceName, podSelector, ticker,
            ", or set RESPREAD_MEMBERS_SOURCE=prometheus");
        return new PrometheusLoadView(this, members, query, created);
      } catch (RuntimeException e) {
        if (created != null) {
          created.close();
        }
        throw e;
      }
    }

    /**
     * Whether the members come from the Kubernetes API; see {@link MembersSource#AUTO}. Adds a
     * problem for what members from the API cannot work with.
     */
    private boolean membersFromApi(ConfigProblems problems) {
      if (membersSource == MembersSource.AUTO) {
        boolean apiConfigured = client != null || problems.raw(KUBERNETES_SERVICE_HOST) != null;
        return apiConfigured && (serviceName != null || !podSelector.isEmpty())
            && membersQuery == null;
      }
      if (membersSource == MembersSource.PROMETHEUS) {
        return false;
      }
      requireServiceOrSelector(problems, serviceName, podSelector);
      if (membersQuery != null) {
        problems.crossCheck(PROMETHEUS_MEMBERS_QUERY, "membersQuery", membersQuery,
            "not set, because the members come from the Kubernetes API "
                + "(RESPREAD_MEMBERS_SOURCE=kubernetes)");
      }
      return true;
    }

    private Shape shape(boolean fromApi) {
      boolean custom = ownQuery != null || meanQuery != null || membersQuery != null;
      if (custom) {
        return fromApi ? Shape.OWN_AND_MEAN : Shape.OWN_MEAN_AND_MEMBERS;
      }
      return fromApi ? Shape.PODS : Shape.PODS_AND_UP;
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
