package dev.respread.kubernetes;

import static dev.respread.kubernetes.internal.Variables.KUBERNETES_METRICS_INTERVAL;
import static dev.respread.kubernetes.internal.Variables.KUBERNETES_TIMEOUT;
import static dev.respread.kubernetes.internal.Variables.POD_NAME;
import static dev.respread.kubernetes.internal.Variables.POD_NAMESPACE;
import static dev.respread.kubernetes.internal.Variables.POD_SELECTOR;
import static dev.respread.kubernetes.internal.Variables.SERVICE_NAME;
import static java.util.Objects.requireNonNull;

import dev.respread.LoadSnapshot;
import dev.respread.LoadView;
import dev.respread.Ticker;
import dev.respread.internal.ConfigProblems;
import dev.respread.kubernetes.internal.FailureCause;
import dev.respread.kubernetes.internal.Refresher;
import dev.respread.kubernetes.internal.ServiceLoad;
import dev.respread.kubernetes.internal.Settings;
import dev.respread.kubernetes.internal.ViewHealth;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodMetricOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

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
 * <p>Read-only RBAC: {@code list} and {@code watch} on {@code endpointslices}
 * ({@code discovery.k8s.io}), {@code list} on {@code pods} in {@code metrics.k8s.io}, and, with a
 * pod selector instead of a Service, {@code list} and {@code watch} on {@code pods}.
 */
public final class KubernetesLoadView implements LoadView {
  /** The label the EndpointSlice controller puts on every slice of a Service. */
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  static final String MEMBERS = "members";
  static final String METRICS = "metrics.k8s.io";
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);
  /** Cores: 50m, below which a difference from the mean is noise. */
  private static final double DEFAULT_NOISE_FLOOR = 0.05;

  private final KubernetesClient client;
  private final boolean ownsClient;
  private final String podName;
  private final String namespace;
  private final Map<String, String> podSelector;
  private final Ticker ticker;
  private final Clock clock;
  private final double noiseFloor;
  private final ViewHealth health;
  private final Refresher refresher;
  private final Refresher heartbeats;
  private final SharedIndexInformer<? extends HasMetadata> informer;

  private volatile Duration window;
  private volatile Set<String> ready = Set.of();
  private volatile long membersSeenAt = Long.MIN_VALUE;
  private volatile Map<String, ServiceLoad.Sample> samples = Map.of();
  private volatile LoadSnapshot latest = LoadSnapshot.unavailable();
  private volatile boolean metricsReadInFlight;
  /** Guarded by {@code this}: the informer's store held something the view could not read. */
  private boolean membersMalformed;

  private KubernetesLoadView(Builder b, KubernetesClient client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
    this.podName = b.podName;
    this.namespace = b.namespace;
    this.podSelector = b.podSelector;
    this.ticker = b.ticker;
    this.clock = b.clock;
    this.noiseFloor = b.noiseFloorOr(DEFAULT_NOISE_FLOOR);
    this.window = b.measurementWindow;
    this.health = new ViewHealth("kubernetes", b.name, List.of(MEMBERS, METRICS),
        b.meterRegistry);
    this.refresher = new Refresher("kubernetes-load-view");
    // Its own thread: a metrics read can block far longer than a heartbeat period (a client of
    // the user's with fabric8's retries and a 10 s timeout waits minutes on a dead
    // metrics-server), and a healthy watch must keep the membership fresh meanwhile.
    this.heartbeats = new Refresher("kubernetes-load-view-heartbeat");
    if (b.serviceName != null) {
      this.informer = informer(client.discovery().v1().endpointSlices().inNamespace(namespace)
          .withLabel(SERVICE_NAME_LABEL, b.serviceName).runnableInformer(0),
          KubernetesLoadView::readyInSlices);
    } else {
      this.informer = informer(client.pods().inNamespace(namespace).withLabels(podSelector)
          .runnableInformer(0), KubernetesLoadView::readyPods);
    }
    refresher.every(b.metricsInterval, this::readMetrics);
    heartbeats.every(HEARTBEAT, this::heartbeat);
  }

  private <T extends HasMetadata> SharedIndexInformer<T> informer(SharedIndexInformer<T> inf,
      Function<List<T>, Set<String>> readyOf) {
    // Without this handler an informer whose first list fails (403, API down) stops for good;
    // with it, the informer retries with its own backoff and the view reports the failure.
    inf.exceptionHandler((started, t) -> {
      health.failed(MEMBERS, cause(t), String.valueOf(t.getMessage()));
      return true;
    });
    inf.addEventHandler(new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T obj) {
        membersChanged();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        membersChanged();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        membersChanged();
      }

      private void membersChanged() {
        Set<String> read;
        try {
          read = readyOf.apply(inf.getStore().list());
        } catch (RuntimeException e) {
          // Thrown here, it would end up in the informer's log and leave the heartbeat stamping
          // a membership that no longer follows the store as fresh. Keep the last membership
          // and let it age instead, until an update the view can read arrives.
          synchronized (KubernetesLoadView.this) {
            membersMalformed = true;
            health.failed(MEMBERS, FailureCause.MALFORMED, String.valueOf(e));
          }
          return;
        }
        synchronized (KubernetesLoadView.this) {
          membersMalformed = false;
          ready = read;
          if (inf.hasSynced()) {
            membersSeenAt = ticker.nanoTime();
          }
          publish();
        }
      }
    });
    inf.start();
    return inf;
  }

  /**
   * The pods an EndpointSlice controller marks ready and not terminating. Per the
   * discovery.k8s.io/v1 EndpointConditions API, a missing {@code ready} means ready and a missing
   * {@code terminating} means not terminating. A pod listed in several slices (IPv4 and IPv6)
   * counts once.
   */
  static Set<String> readyInSlices(List<EndpointSlice> slices) {
    Set<String> names = new HashSet<>();
    for (EndpointSlice slice : slices) {
      // API servers send "endpoints": null for a slice of a Service without endpoints, against
      // their own OpenAPI schema (kubernetes/kubernetes#135968, defaulted to [] by #136109),
      // and fabric8 keeps the null.
      for (Endpoint e : orEmpty(slice.getEndpoints())) {
        EndpointConditions c = e.getConditions();
        boolean ready = c == null || !Boolean.FALSE.equals(c.getReady());
        boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
        String name = e.getTargetRef() != null && e.getTargetRef().getName() != null
            ? e.getTargetRef().getName()
            : orEmpty(e.getAddresses()).isEmpty() ? null
            : "address:" + String.join(",", e.getAddresses());
        // An endpoint with neither a pod nor an address receives no traffic: not a member.
        if (ready && !terminating && name != null) {
          names.add(name);
        }
      }
    }
    return Set.copyOf(names);
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  /** Pods whose Ready condition is true and that are not being deleted. */
  static Set<String> readyPods(List<Pod> pods) {
    Set<String> names = new HashSet<>();
    for (Pod p : pods) {
      if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null) {
        continue;
      }
      for (PodCondition c : orEmpty(p.getStatus().getConditions())) {
        if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
          names.add(p.getMetadata().getName());
        }
      }
    }
    return Set.copyOf(names);
  }

  /**
   * Stamps the membership as current while the informer is synced and watching: the watch would
   * have told of any change. Not while the last update could not be read, so that membership
   * ages out instead.
   */
  synchronized void heartbeat() {
    if (informer.hasSynced() && informer.isWatching() && !membersMalformed) {
      membersSeenAt = ticker.nanoTime();
      health.ok(MEMBERS);
    }
    publish();
  }

  private void readMetrics() {
    metricsReadInFlight = true;
    try {
      PodMetricOperation op = client.top().pods().inNamespace(namespace);
      if (!podSelector.isEmpty()) {
        op = op.withLabels(podSelector);
      }
      List<PodMetrics> items = op.metrics().getItems();
      Map<String, ServiceLoad.Sample> read = new HashMap<>();
      for (PodMetrics m : items) {
        ServiceLoad.Sample s = sample(m);
        if (s != null) {
          read.put(m.getMetadata().getName(), s);
        }
      }
      if (read.isEmpty() && !items.isEmpty()) {
        health.failed(METRICS, FailureCause.MALFORMED, "no PodMetrics with a CPU usage and time");
        return;
      }
      samples = Map.copyOf(read);
      health.ok(METRICS);
      publish();
    } catch (RuntimeException e) {
      health.failed(METRICS, cause(e), String.valueOf(e.getMessage()));
    } finally {
      metricsReadInFlight = false;
    }
  }

  /** A pod's CPU in cores summed over its containers, or {@code null} if the item is unusable. */
  private ServiceLoad.Sample sample(PodMetrics m) {
    try {
      double cores = 0;
      Collection<ContainerMetrics> containers = m.getContainers();
      if (containers.isEmpty()) {
        return null;
      }
      for (ContainerMetrics c : containers) {
        Quantity cpu = c.getUsage().get("cpu");
        if (cpu == null) {
          return null;
        }
        cores += Quantity.getAmountInBytes(cpu).doubleValue();
      }
      if (m.getWindow() != null && m.getWindow().getDuration() != null
          && !m.getWindow().getDuration().isZero() && !m.getWindow().getDuration().isNegative()) {
        window = m.getWindow().getDuration();
      }
      return new ServiceLoad.Sample(cores,
          Refresher.tickerTime(Instant.parse(m.getTimestamp()), clock, ticker));
    } catch (RuntimeException e) {
      // A garbled item leaves that pod out of the mean instead of failing the whole read.
      return null;
    }
  }

  private synchronized void publish() {
    latest = ServiceLoad.snapshot(podName, ready, membersSeenAt, samples);
  }

  private static FailureCause cause(Throwable t) {
    return FailureCause.of(t,
        c -> c instanceof KubernetesClientException ? ((KubernetesClientException) c).getCode()
            : 0);
  }

  /** The last snapshot; never blocks. */
  @Override
  public LoadSnapshot latest() {
    return latest;
  }

  /** The view's noise floor, in cores. Default 0.05 (50m). */
  @Override
  public double noiseFloor() {
    return noiseFloor;
  }

  /** The window of the last PodMetrics read, or the builder's value before the first read. */
  @Override
  public Duration measurementWindow() {
    return window;
  }

  /** Reads the metrics now, on the view's thread, instead of waiting for the next period. */
  void refreshNow() {
    refresher.once(this::readMetrics);
  }

  boolean metricsReadInFlight() {
    return metricsReadInFlight;
  }

  ViewHealth health() {
    return health;
  }

  /** Stops the informer and the refresh thread, and closes the client if the view created it. */
  @Override
  public void close() {
    informer.stop();
    // Let the watch finish closing before the client goes, so that no half-open watch is left
    // behind on the API server; bounded, since close() may run on a shutdown path.
    try {
      informer.stopped().toCompletableFuture().get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Stopping failed or is slow; closing the client below ends the watch either way.
    }
    refresher.close();
    heartbeats.close();
    health.close();
    if (ownsClient) {
      client.close();
    }
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
      if (serviceName == null && podSelector.isEmpty()) {
        problems.crossCheck(SERVICE_NAME, "serviceName", "null",
            "the Service's name, or RESPREAD_POD_SELECTOR with its pods' labels");
      }
      metricsInterval = problems.duration(KUBERNETES_METRICS_INTERVAL, "metricsInterval",
          metricsInterval, Duration.ofMillis(100), Duration.ofMinutes(10));
      timeout = problems.duration(KUBERNETES_TIMEOUT, "timeout", timeout, Duration.ofMillis(100),
          Duration.ofMinutes(1));
      checkShared(problems);
      problems.throwIfAny();
      if (client != null) {
        return new KubernetesLoadView(this, client, false);
      }
      // No request retries: the next read is the retry, so a struggling API server gets one
      // request per pod per interval, not one plus fabric8's ten backed-off retries.
      KubernetesClient created = new KubernetesClientBuilder()
          .withConfig(new ConfigBuilder(Config.autoConfigure(null))
              .withRequestTimeout((int) timeout.toMillis()).withRequestRetryBackoffLimit(0)
              .build())
          .build();
      try {
        return new KubernetesLoadView(this, created, true);
      } catch (RuntimeException e) {
        created.close();
        throw e;
      }
    }
  }
}
