package dev.respread.kubernetes;

import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;

/**
 * One simulated pod: a {@link MetricsEndpoint} serving a Micrometer Prometheus registry with an
 * {@code http.server.requests} timer whose count grows at a fixed rate (so that PromQL's
 * {@code rate()} has an exact expected value) and a fixed {@code process.cpu.usage}.
 */
final class PodEndpoint implements AutoCloseable {
  final String pod;
  final String service;
  private final MetricsEndpoint endpoint;

  PodEndpoint(String pod, String service, double requestsPerSecond, double cpu) {
    this(pod, service, requestsPerSecond, cpu, true);
  }

  /**
   * With {@code kube_pod_status_ready{condition="true"}} as kube-state-metrics reports it: 1 for
   * a ready pod, 0 for one that is not. Here the pod serves it itself, so that it carries the
   * pod's {@code namespace} and {@code pod} labels, as kube-state-metrics' series do when
   * scraped with {@code honor_labels}.
   */
  PodEndpoint(String pod, String service, double requestsPerSecond, double cpu, boolean ready) {
    this.pod = pod;
    this.service = service;
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    long start = System.nanoTime();
    FunctionTimer.builder("http.server.requests", registry,
            r -> (long) (requestsPerSecond * (System.nanoTime() - start) / 1e9),
            r -> 0.0, TimeUnit.SECONDS)
        .description("requests, growing at a fixed rate").register(registry);
    Gauge.builder("process.cpu.usage", () -> cpu).register(registry);
    Gauge.builder("kube.pod.status.ready", () -> ready ? 1 : 0).tag("condition", "true")
        .register(registry);
    endpoint = new MetricsEndpoint(registry);
  }

  /** {@code host:port} as a Prometheus target. */
  String target() {
    return endpoint.target();
  }

  @Override
  public void close() {
    endpoint.close();
  }
}
