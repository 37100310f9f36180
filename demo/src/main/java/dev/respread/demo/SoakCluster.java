package dev.respread.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The soak's Service: pods that are JVMs of their own ({@link PodMain}, gRPC and HTTP on one
 * recycler, configured by {@code RESPREAD_*} variables), behind two kube-proxy-style iptables
 * Services on one virtual IP (gRPC on {@link #GRPC_PORT}, HTTP on {@link #HTTP_PORT}), with a
 * real Prometheus that scrapes the pods in the Service and that they read their load view from.
 * Pods come and go as a Deployment's do: a new pod starts, becomes ready, then joins; a pod
 * leaves the endpoints before it gets SIGTERM ({@code recycler.shutdown()} drains it after
 * {@code RESPREAD_SHUTDOWN_DELAY}), or is SIGKILLed.
 *
 * <p>It reads every live pod's {@code /metrics} once a second ({@link #poll}), keeping each
 * pod's last reading after it is gone, so that the totals count every pod that ever ran.
 */
final class SoakCluster implements AutoCloseable {
  static final int GRPC_PORT = 8080;
  static final int HTTP_PORT = 8081;
  /** Drains that the per-second budget holds back (the request cap and shutdown are not). */
  static final List<String> BUDGETED = List.of("max_age", "load", "scale_out");
  /** Pods kept started ahead of need. */
  static final int SPARES = 3;

  private final Path dir;
  private final Map<String, String> environment;
  private final IptablesService grpc;
  private final IptablesService http;
  private volatile PrometheusServer prometheus;
  private final Duration scrapeInterval;
  /** Pods in the Service, oldest first. Guarded by {@code this}. */
  private final List<PodProcess> inService = new ArrayList<>();
  /** Every pod started, for {@link #close}. Guarded by {@code this}. */
  private final List<PodProcess> started = new ArrayList<>();
  /** Each pod's readings, in the order the pods started. Guarded by {@code this}. */
  private final Map<String, PodHistory> histories = new LinkedHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private int nextPod = 1;
  /** Pods started ahead, oldest first. Guarded by {@code this}. */
  private final Queue<CompletableFuture<PodProcess>> spares = new ArrayDeque<>();

  /**
   * A pod's readings: time (ms since the soak began), budgeted drains, open connections and
   * load drains, the counts since the pod started.
   */
  static final class PodHistory {
    final String pod;
    final List<long[]> samples = new ArrayList<>();
    Map<String, Long> drainedByReason = Map.of();
    Map<String, Long> deferredByReason = Map.of();
    long forced;
    long requests;
    boolean viewUsable;

    PodHistory(String pod) {
      this.pod = pod;
    }
  }

  /**
   * Starts Prometheus and the two Services, with no pods yet. {@code environment} is every
   * pod's: the soak's {@code RESPREAD_*} settings and the user's on top.
   */
  SoakCluster(Path dir, Map<String, String> environment, Duration scrapeInterval, String chainTag)
      throws IOException, InterruptedException {
    this.dir = dir;
    this.scrapeInterval = scrapeInterval;
    Files.createDirectories(dir);
    IptablesService g = null;
    try {
      prometheus = PrometheusServer.start(dir.resolve("prometheus"), scrapeInterval);
      Map<String, String> env = new HashMap<>(ProcessCluster.VIEW_DEFAULTS);
      env.put("RESPREAD_PROMETHEUS_URL", prometheus.url().toString());
      env.put("RESPREAD_SERVICE_NAME", ProcessCluster.SERVICE);
      env.putAll(environment);
      env.put("POD_NAMESPACE", ProcessCluster.NAMESPACE);
      env.put(PodMain.DRAIN_ON_STOP, "true");
      this.environment = Map.copyOf(env);
      g = new IptablesService(new InetSocketAddress(ScaleOutScenario.SERVICE_IP, GRPC_PORT),
          "RESPREAD-SOAK-GRPC-" + chainTag);
      this.grpc = g;
      this.http = new IptablesService(
          new InetSocketAddress(ScaleOutScenario.SERVICE_IP, HTTP_PORT),
          "RESPREAD-SOAK-HTTP-" + chainTag);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (g != null) {
        closeQuietly(g);
      }
      if (prometheus != null) {
        prometheus.close();
      }
      throw e;
    }
  }

  /** Every pod's environment. */
  Map<String, String> environment() {
    return environment;
  }

  /**
   * A new pod that listens, not in the Service yet. It is the oldest of the spares started
   * ahead, if there is one, and new spares start to keep {@link #SPARES} of them: a JVM takes
   * seconds to start on a busy machine (more than ten on two cores under the soak), and a
   * rolling restart should not wait for that, as a Deployment's does not wait for an image pull
   * that has happened already.
   */
  PodProcess startPod() throws IOException, InterruptedException {
    CompletableFuture<PodProcess> next;
    synchronized (this) {
      next = spares.poll();
    }
    PodProcess pod;
    if (next == null) {
      pod = launch();
    } else {
      try {
        pod = next.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
      }
    }
    synchronized (this) {
      while (!closed.get() && spares.size() < SPARES) {
        CompletableFuture<PodProcess> f = new CompletableFuture<>();
        spares.add(f);
        Thread t = new Thread(() -> {
          try {
            f.complete(launch());
          } catch (Exception e) {
            f.completeExceptionally(e);
          }
        }, "soak-spare-pod");
        t.setDaemon(true);
        t.start();
      }
    }
    return pod;
  }

  private PodProcess launch() throws IOException, InterruptedException {
    String name;
    synchronized (this) {
      name = "pod-" + nextPod++;
    }
    Map<String, String> env = new HashMap<>(environment);
    env.put("POD_NAME", name);
    PodProcess pod = PodProcess.start(name, env, dir.resolve(name + ".log"));
    synchronized (this) {
      started.add(pod);
      histories.put(name, new PodHistory(name));
    }
    if (closed.get()) {
      pod.process().destroyForcibly();
      throw new IOException("the soak is over");
    }
    pod.awaitReady();
    return pod;
  }

  /** The pod becomes an endpoint of both Services and a scrape target. */
  synchronized void join(PodProcess pod) throws IOException {
    inService.add(pod);
    publish();
  }

  /** The pod is no longer an endpoint or a scrape target; its open connections stay. */
  synchronized void leave(PodProcess pod) throws IOException {
    inService.remove(pod);
    publish();
  }

  private void publish() throws IOException {
    List<InetSocketAddress> g = new ArrayList<>();
    List<InetSocketAddress> h = new ArrayList<>();
    List<PrometheusServer.Target> targets = new ArrayList<>();
    for (PodProcess p : inService) {
      g.add(p.address());
      h.add(p.httpAddress());
      targets.add(new PrometheusServer.Target(p.metricsTarget(), ProcessCluster.NAMESPACE,
          p.name(), ProcessCluster.SERVICE));
    }
    grpc.endpoints(g);
    http.endpoints(h);
    prometheus.targets(targets);
  }

  synchronized List<PodProcess> inService() {
    return List.copyOf(inService);
  }

  /**
   * SIGTERM, and waits until the pod has exited; returns how long that took, or -1 if it had
   * not exited by {@code timeout} (it is then SIGKILLed).
   */
  long terminate(PodProcess pod, Duration timeout) throws InterruptedException {
    long start = System.nanoTime();
    pod.process().destroy();
    try {
      pod.process().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      pod.process().destroyForcibly();
      return -1;
    }
  }

  /** SIGKILL, recorded in {@code kills} from the signal until the process is gone. */
  void kill(PodProcess pod, SoakStats.KillWindows kills) throws InterruptedException {
    long[] window = kills.killed();
    pod.process().destroyForcibly();
    try {
      pod.process().onExit().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(pod.name() + " still alive 10 s after SIGKILL", e);
    } finally {
      kills.dead(window);
    }
  }

  /** SIGKILLs Prometheus: the pods' view reads fail until {@link #restartPrometheus}. */
  void killPrometheus() throws InterruptedException {
    prometheus.kill();
  }

  /** Starts Prometheus again, on its port, storage and targets, and waits until it is ready. */
  void restartPrometheus() throws IOException, InterruptedException {
    prometheus = prometheus.restart();
  }

  /** Reads every live pod's {@code /metrics}; {@code t} is milliseconds since the soak began. */
  void poll(long t) {
    List<PodProcess> pods;
    synchronized (this) {
      pods = new ArrayList<>(started);
    }
    for (PodProcess p : pods) {
      if (!p.ready() || !p.process().isAlive()) {
        continue;
      }
      MetricsText m;
      try {
        m = p.metrics();
      } catch (IOException | InterruptedException e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          return;
        }
        continue;  // Starting, or on its way out.
      }
      if (Double.isNaN(m.value("respread_requests_total"))) {
        // The pod's recycler has closed (it is about to exit) and its meters are gone: keep
        // what it said before.
        continue;
      }
      Map<String, Long> drained = m.countsBy("respread_connections_drained_total", "reason");
      long budgeted = BUDGETED.stream().mapToLong(r -> drained.getOrDefault(r, 0L)).sum();
      long open = (long) m.sum("respread_connections_open");
      synchronized (this) {
        PodHistory h = histories.get(p.name());
        h.samples.add(new long[] {t, budgeted, open, drained.getOrDefault("load", 0L)});
        h.drainedByReason = drained;
        h.deferredByReason = m.countsBy("respread_drains_deferred_total", "reason");
        h.forced = (long) m.sum("respread_connections_forced_total");
        h.requests = (long) m.sum("respread_requests_total");
        h.viewUsable = m.sum("respread_load_view_usable") > 0;
      }
    }
  }

  synchronized List<PodHistory> histories() {
    return List.copyOf(histories.values());
  }

  /** Drains by reason over every pod that ran, as last read. */
  synchronized Map<String, Long> drainedByReason() {
    Map<String, Long> m = new TreeMap<>();
    histories.values().forEach(h -> h.drainedByReason.forEach((k, v) -> m.merge(k, v, Long::sum)));
    return m;
  }

  synchronized Map<String, Long> deferredByReason() {
    Map<String, Long> m = new TreeMap<>();
    histories.values().forEach(h -> h.deferredByReason.forEach((k, v) -> m.merge(k, v, Long::sum)));
    return m;
  }

  synchronized long forced() {
    return histories.values().stream().mapToLong(h -> h.forced).sum();
  }

  /** Pods in the Service whose recycler uses its load view now, as last read. */
  synchronized int podsWithUsableView() {
    int n = 0;
    for (PodProcess p : inService) {
      if (histories.get(p.name()).viewUsable) {
        n++;
      }
    }
    return n;
  }

  /** A pod's log, for a report of what went wrong. */
  Path log(String pod) {
    return dir.resolve(pod + ".log");
  }

  /** Stops the Services, every pod and Prometheus; idempotent. The directory is the caller's. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(grpc);
    closeQuietly(http);
    List<PodProcess> pods;
    synchronized (this) {
      pods = new ArrayList<>(started);
    }
    // SIGKILL: the soak is over and its counts are read; a drain now would only take time.
    pods.forEach(p -> p.process().destroyForcibly());
    pods.forEach(PodProcess::close);
    if (prometheus != null) {
      prometheus.close();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (Exception e) {
      // The namespace that holds the rules ends with the soak anyway.
    }
  }
}
