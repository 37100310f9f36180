package dev.respread.kubernetes;

import dev.respread.ConnectionRecycler;
import dev.respread.DrainableConnection;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import dev.respread.TrackedConnection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One pod as an adapter wires it: a real {@link ConnectionRecycler} reporting to Micrometer's
 * Prometheus registry, served at {@code /metrics} by a {@link MetricsEndpoint}, so that
 * {@code respread_requests_total} is the engine's own series, present at 0 from the start.
 * {@link #serve(double)} reports requests on one registered connection at a fixed rate, as an
 * adapter would report them, so that PromQL's {@code rate()} has a known expected value.
 */
final class RecyclerPod implements AutoCloseable {
  private static final Duration STEP = Duration.ofMillis(20);

  final String pod;
  final String service;
  private final ConnectionRecycler recycler;
  private final MetricsEndpoint endpoint;
  private final ScheduledExecutorService driver;

  RecyclerPod(String pod, String service) {
    this.pod = pod;
    this.service = service;
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.recycler = ConnectionRecycler.builder(RecyclingConfig.defaults()).meterRegistry(registry)
        .build();
    this.endpoint = new MetricsEndpoint(registry);
    this.driver = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "requests-" + pod);
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts requests at {@code perSecond} on a connection of this pod's recycler. */
  RecyclerPod serve(double perSecond) {
    TrackedConnection connection = recycler.register(new DrainableConnection() {
      @Override
      public void drain(RecycleReason reason, Duration grace) {}

      @Override
      public void forceClose() {}
    }, Protocol.HTTP_2);
    long start = System.nanoTime();
    long[] started = {0};
    driver.scheduleAtFixedRate(() -> {
      long due = (long) (perSecond * (System.nanoTime() - start) / 1e9);
      for (; started[0] < due; started[0]++) {
        connection.requestStarted();
        connection.requestFinished();
      }
    }, 0, STEP.toNanos(), TimeUnit.NANOSECONDS);
    return this;
  }

  /** {@code host:port} as a Prometheus target. */
  String target() {
    return endpoint.target();
  }

  /** Stops serving {@code /metrics} only: the pod's target goes down, the pod lives on. */
  void stopMetrics() {
    endpoint.close();
  }

  @Override
  public void close() {
    driver.shutdownNow();
    endpoint.close();
    recycler.close();
  }
}
