package dev.respread.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Service whose pods are JVMs of their own ({@link PodMain}), configured only through
 * {@code RESPREAD_*} variables as a Deployment would configure them, with a real Prometheus
 * ({@link PrometheusServer}) scraping them. A pod becomes a scrape target at the moment it
 * becomes an endpoint of the Service, as Kubernetes discovery of the Service's endpoints
 * would show it.
 *
 * <p>All pods start at once, up front, so that the JVMs' start-up does not stall the scenario's
 * clock; a pod takes traffic and is scraped only from {@link #scaleTo}. Everything it starts ends
 * in {@link #close}, which a shutdown hook also runs, and its directory (Prometheus' storage, the
 * pods' logs) is deleted.
 */
final class ProcessCluster implements Cluster {
  static final String NAMESPACE = "demo";
  static final String SERVICE = "hello";

  /**
   * The Prometheus view as the demo sets it up: a 1 s scrape, a 10 s window, read every second,
   * on the default preset (respread's own {@code respread_requests_total}, which every pod has
   * from start-up, at 0). Members are the Service's scrape targets that are up: the demo has no
   * Kubernetes API, and {@code auto} would pick the API if the demo ran inside a pod. The user's
   * {@code RESPREAD_*} variables come on top.
   */
  static final Map<String, String> VIEW_DEFAULTS = Map.of(
      "RESPREAD_LOAD_SOURCE", "prometheus",
      "RESPREAD_MEMBERS_SOURCE", "prometheus",
      "RESPREAD_PROMETHEUS_WINDOW", "10s",
      "RESPREAD_PROMETHEUS_INTERVAL", "1s",
      "RESPREAD_LOAD_INTERVAL", "1s");

  private final Path dir;
  private final ServiceBalancer service;
  private final List<PodProcess> pods = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread closeOnExit = new Thread(this::close, "process-cluster-close");
  private PrometheusServer prometheus;
  private final long[] lastCalls;
  private int joined;

  /**
   * Starts Prometheus and {@code count} pods with {@code environment} (the mode's
   * {@code RESPREAD_*}), over {@link #VIEW_DEFAULTS} if {@code withLoadView}, and waits until all
   * listen. None is in the Service yet.
   */
  ProcessCluster(ServiceBalancer service, Map<String, String> environment, boolean withLoadView,
      int count, Duration scrapeInterval) throws IOException, InterruptedException {
    this.service = service;
    this.lastCalls = new long[count];
    String workDir = System.getenv(NetnsLauncher.WORK_DIR_VARIABLE);
    this.dir = workDir == null ? Files.createTempDirectory("respread-demo-")
        : Files.createTempDirectory(Path.of(workDir), "cluster-");
    Runtime.getRuntime().addShutdownHook(closeOnExit);
    try {
      prometheus = PrometheusServer.start(dir.resolve("prometheus"), scrapeInterval);
      for (int i = 1; i <= count; i++) {
        String name = "pod-" + i;
        Map<String, String> env = new HashMap<>();
        if (withLoadView) {
          env.putAll(VIEW_DEFAULTS);
          env.put("RESPREAD_PROMETHEUS_URL", prometheus.url().toString());
          env.put("RESPREAD_SERVICE_NAME", SERVICE);
        }
        env.putAll(environment);
        env.put("POD_NAME", name);
        env.put("POD_NAMESPACE", NAMESPACE);
        pods.add(PodProcess.start(name, env, dir.resolve(name + ".log")));
      }
      for (PodProcess p : pods) {
        p.awaitReady();
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public InetSocketAddress serviceAddress() {
    return service.address();
  }

  /** The first {@code count} pods become endpoints and scrape targets together. */
  @Override
  public void scaleTo(int count) throws IOException {
    if (count > pods.size()) {
      throw new IllegalArgumentException(
          "scaleTo: " + count + " (expected: <= " + pods.size() + ", the pods started)");
    }
    joined = count;
    List<InetSocketAddress> ready = new ArrayList<>();
    List<PrometheusServer.Target> targets = new ArrayList<>();
    for (PodProcess p : pods.subList(0, count)) {
      ready.add(p.address());
      targets.add(new PrometheusServer.Target(p.metricsTarget(), NAMESPACE, p.name(), SERVICE));
    }
    service.endpoints(ready);
    prometheus.targets(targets);
  }

  /** Reads each pod's {@code /metrics}: its calls served and what its recycler's view says. */
  @Override
  public ScaleOutScenario.Second tick(int t) throws IOException, InterruptedException {
    long[] calls = new long[joined];
    double[] ratios = new double[joined];
    int members = Integer.MAX_VALUE;
    for (int i = 0; i < joined; i++) {
      MetricsText m = pods.get(i).metrics();
      long total = (long) m.sum("demo_calls_total");
      calls[i] = total - lastCalls[i];
      lastCalls[i] = total;
      ratios[i] = m.value("respread_load_ratio");
      double v = m.value("respread_load_members");
      members = Math.min(members, Double.isNaN(v) ? 0 : (int) v);
    }
    return new ScaleOutScenario.Second(t, calls, ratios, joined == 0 ? 0 : members);
  }

  @Override
  public Drains drains() throws IOException, InterruptedException {
    Map<String, Long> byReason = new HashMap<>();
    Map<String, Long> deferred = new HashMap<>();
    long forced = 0;
    for (PodProcess p : pods) {
      MetricsText m = p.metrics();
      m.countsBy("respread_connections_drained_total", "reason")
          .forEach((reason, n) -> byReason.merge(reason, n, Long::sum));
      m.countsBy("respread_drains_deferred_total", "reason")
          .forEach((reason, n) -> deferred.merge(reason, n, Long::sum));
      forced += (long) m.sum("respread_connections_forced_total");
      long goAways = (long) m.sum("demo_goaways_total");
      if (goAways > 0) {
        byReason.merge(GoAwayChance.REASON, goAways, Long::sum);
      }
    }
    return new Drains(byReason, deferred, forced);
  }

  /** Stops the Service, the pods and Prometheus, and deletes their directory; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(closeOnExit);
    } catch (IllegalStateException shuttingDown) {
      // This is the hook.
    }
    try {
      service.close();
    } catch (Exception e) {
      // The namespace that holds the rules ends with the demo anyway.
    }
    pods.forEach(PodProcess::close);
    if (prometheus != null) {
      prometheus.close();
    }
    Processes.delete(dir);
  }
}
