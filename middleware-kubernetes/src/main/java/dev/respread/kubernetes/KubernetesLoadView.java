package dev.respread.kubernetes;

import static dev.respread.kubernetes.internal.Variables.KUBERNETES_METRICS_INTERVAL;
import static dev.respread.kubernetes.internal.Variables.KUBERNETES_TIMEOUT;
import static dev.respread.kubernetes.internal.Variables.MEMBERS_SOURCE;
import static dev.respread.kubernetes.internal.Variables.POD_NAME;
import static dev.respread.kubernetes.internal.Variables.POD_NAMESPACE;
import static dev.respread.kubernetes.internal.Variables.POD_SELECTOR;
import static dev.respread.kubernetes.internal.Variables.SERVICE_NAME;
import static java.util.Objects.requireNonNull;

import dev.respread.LoadSnapshot;
import dev.respread.LoadView;
import dev.respread.internal.ConfigProblems;
import dev.respread.kubernetes.internal.InformerMembers;
import dev.respread.kubernetes.internal.KubernetesApi;
import dev.respread.kubernetes.internal.MetricsServerLoads;
import dev.respread.kubernetes.internal.Settings;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.Map;

/**
 * A {@link LoadView} read from the Kubernetes API: the Service's ready members from an
 * EndpointSlice informer, and each member's CPU, in cores, from {@code metrics.k8s.io}.
 *
 * <p>Membership comes from a watch, so a scale-out shows within about a second. CPU is polled
 * every {@link Builder#metricsInterval(Duration) metricsInterval} (default 15 s) with one list
 * call, because metrics-server offers no watch; its values are themselves 15 to 60 s old, which
 * each snapshot's {@link LoadSnapshot#loadObservedAtNanos() load time} reflects.
 *
 * <p>The mean counts only ready, non-terminating members that report metrics: a pod without
 * metrics yet, or one going away, would drag it down and make every other pod look hot.
 *
 * <p>Metrics are read on one daemon thread, membership in the informer, and a second daemon
 * thread stamps a watched membership as current every second, so that a hanging metrics read
 * does not make it stale; {@link #latest()} returns the last snapshot without waiting. When the
 * API server cannot be read (down, 401, 403, timeout, garbage, a slice that cannot be read) the
 * view keeps its last values, which turn stale, logs once, and reports
 * {@code respread.load.view.state} and {@code respread.load.view.failures}, tagged with the
 * builder's {@link Builder#name(String) name}.
 *
 * <p>The noise floor is 0.05 cores (50m). The measurement window is that of the last PodMetrics
 * read, or the builder's {@link Builder#measurementWindow(Duration) measurementWindow} before the
 * first read.
 *
 * <p>Read-only RBAC: {@code list} and {@code watch} on {@code endpointslices}
 * ({@code discovery.k8s.io}), {@code list} on {@code pods} in {@code metrics.k8s.io}, and, with a
 * pod selector instead of a Service, {@code list} and {@code watch} on {@code pods}.
 *
 * <p>For members from the API with load from Prometheus, use {@link PrometheusLoadView} with
 * {@link MembersSource#KUBERNETES} (its default in a cluster). {@code RESPREAD_MEMBERS_SOURCE}
 * may be {@code auto} or {@code kubernetes} here, which mean the same.
 */
public final class KubernetesLoadView extends ComposedLoadView {
  /** The label the EndpointSlice controller puts on every slice of a Service. */
  static final String SERVICE_NAME_LABEL = InformerMembers.SERVICE_NAME_LABEL;
  static final String MEMBERS = InformerMembers.CHANNEL;
  static final String METRICS = MetricsServerLoads.CHANNEL;
  /** Cores: 50m, below which a difference from the mean is noise. */
  private static final double DEFAULT_NOISE_FLOOR = 0.05;

  private final InformerMembers<?> members;
  private final MetricsServerLoads metrics;

  private KubernetesLoadView(Builder b, InformerMembers<?> members, MetricsServerLoads metrics,
      KubernetesClient ownedClient) {
    super("kubernetes", b, b.podName, b.noiseFloorOr(DEFAULT_NOISE_FLOOR), members, metrics,
        ownedClient);
    this.members = members;
    this.metrics = metrics;
  }

  private static KubernetesLoadView create(Builder b, KubernetesClient client,
      KubernetesClient ownedClient) {
    // Its own threads: a metrics read can block far longer than a heartbeat period (a client
    // of the user's with fabric8's retries and a 10 s timeout waits minutes on a dead
    // metrics-server), and a healthy watch must keep the membership fresh meanwhile.
    InformerMembers<?> members = InformerMembers.of(client, b.namespace, b.serviceName,
        b.podSelector, b.ticker, "");
    MetricsServerLoads metrics = new MetricsServerLoads(client, b.namespace, b.podSelector,
        b.metricsInterval, b.measurementWindow, b.ticker, b.clock);
    return new KubernetesLoadView(b, members, metrics, ownedClient);
  }

  /** Stamps a watched membership as current, as the view's heartbeat does every second. */
  void heartbeat() {
    members.heartbeat();
  }

  boolean metricsReadInFlight() {
    return metrics.readInFlight();
  }

  /** A builder of a view over {@code client}, which the view does not close. */
  public static Builder builder(KubernetesClient client) {
    return new Builder(requireNonNull(client, "client"));
  }

  /**
   * A builder whose client is configured the way fabric8 finds it (in-cluster service account,
   * {@code KUBECONFIG}), created by {@link Builder#build()} and closed with the view.
   */
  public static Builder builder() {
    return new Builder(null);
  }

  /** A builder of {@link KubernetesLoadView}. Settings from the environment override it. */
  public static final class Builder extends LoadViewBuilder<Builder> {
    private final KubernetesClient client;
    private String podName;
    private String namespace;
    private String serviceName;
    private Map<String, String> podSelector = Map.of();
    private Duration metricsInterval = Duration.ofSeconds(15);
    private Duration timeout = Duration.ofSeconds(5);
    private Duration measurementWindow = Duration.ofSeconds(30);

    private Builder(KubernetesClient client) {
      this.client = client;
    }

    /** This pod's name, as the downward API gives it in {@code POD_NAME}. Required. */
    public Builder podName(String podName) {
      this.podName = requireNonNull(podName, "podName");
      return this;
    }

    /** The namespace of this pod and its Service ({@code POD_NAMESPACE}). Required. */
    public Builder namespace(String namespace) {
      this.namespace = requireNonNull(namespace, "namespace");
      return this;
    }

    /**
     * The Service whose EndpointSlices give the members ({@code RESPREAD_SERVICE_NAME}). Either
     * this or {@link #podSelector(Map)} is required; with both, the Service gives the members and
     * the selector narrows the metrics read.
     */
    public Builder serviceName(String serviceName) {
      this.serviceName = requireNonNull(serviceName, "serviceName");
      return this;
    }

    /**
     * Equality labels of the Service's pods ({@code RESPREAD_POD_SELECTOR}, {@code app=web}).
     * Narrows the metrics read to these pods, which matters in a namespace with many pods;
     * without a Service name, a pod informer on these labels gives the members. Default: none,
     * which reads the metrics of every pod in the namespace.
     */
    public Builder podSelector(Map<String, String> podSelector) {
      this.podSelector = Map.copyOf(requireNonNull(podSelector, "podSelector"));
      return this;
    }

    /**
     * How often CPU is read from {@code metrics.k8s.io} ({@code RESPREAD_KUBERNETES_METRICS_INTERVAL}).
     * Default 15 s, metrics-server's default resolution; reading faster returns the same values.
     */
    public Builder metricsInterval(Duration metricsInterval) {
      this.metricsInterval = requireNonNull(metricsInterval, "metricsInterval");
      return this;
    }

    /**
     * The request timeout of the client the view creates ({@code RESPREAD_KUBERNETES_TIMEOUT}).
     * Default 5 s. A client passed to {@link KubernetesLoadView#builder(KubernetesClient)} keeps
     * its own.
     */
    public Builder timeout(Duration timeout) {
      this.timeout = requireNonNull(timeout, "timeout");
      return this;
    }

    /** The measurement window assumed until the first PodMetrics tells it. Default 30 s. */
    public Builder measurementWindow(Duration measurementWindow) {
      this.measurementWindow = requireNonNull(measurementWindow, "measurementWindow");
      return this;
    }

    /**
     * Checks the settings and starts the view: the informer and the metrics thread begin reading
     * in the background, and this method does not wait for them.
     *
     * @throws dev.respread.InvalidConfigurationException naming every bad setting
     */
    public KubernetesLoadView build() {
      ConfigProblems problems = new ConfigProblems(environment);
      podName = Settings.text(problems, POD_NAME, podName);
      namespace = Settings.text(problems, POD_NAMESPACE, namespace);
      serviceName = Settings.text(problems, SERVICE_NAME, serviceName);
      podSelector = Settings.selector(problems, POD_SELECTOR, "podSelector", podSelector);
      Settings.range(problems, "measurementWindow", measurementWindow, Duration.ofSeconds(1),
          Duration.ofHours(1));
      Settings.require(problems, POD_NAME, "podName", podName,
          "this pod's name; set POD_NAME from the downward API (fieldRef metadata.name)");
      Settings.require(problems, POD_NAMESPACE, "namespace", namespace,
          "this pod's namespace; set POD_NAMESPACE from the downward API "
              + "(fieldRef metadata.namespace)");
      requireServiceOrSelector(problems, serviceName, podSelector);
      metricsInterval = problems.duration(KUBERNETES_METRICS_INTERVAL, "metricsInterval",
          metricsInterval, Duration.ofMillis(100), Duration.ofMinutes(10));
      timeout = problems.duration(KUBERNETES_TIMEOUT, "timeout", timeout, Duration.ofMillis(100),
          Duration.ofMinutes(1));
      checkShared(problems);
      if (problems.choice(MEMBERS_SOURCE, "membersSource", MembersSource.AUTO,
          MembersSource.class) == MembersSource.PROMETHEUS) {
        problems.add(MEMBERS_SOURCE + ": \"" + problems.raw(MEMBERS_SOURCE) + '"', "auto or "
            + "kubernetes, because the kubernetes load source reads the members from the API; "
            + "for members from Prometheus, set RESPREAD_LOAD_SOURCE=prometheus");
      }
      problems.throwIfAny();
      if (client != null) {
        return create(this, client, null);
      }
      KubernetesClient created = KubernetesApi.client(timeout);
      try {
        return create(this, created, created);
      } catch (RuntimeException e) {
        created.close();
        throw e;
      }
    }
  }
}
