package dev.respread.kubernetes.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.Ticker;
import dev.respread.kubernetes.internal.ServiceLoad.Loads;
import dev.respread.kubernetes.internal.ServiceLoad.Sample;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.ContainerMetrics;
import io.fabric8.kubernetes.api.model.metrics.v1beta1.PodMetrics;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodMetricOperation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each pod's CPU, in cores summed over its containers, from {@code metrics.k8s.io}: one list call
 * per interval, because metrics-server offers no watch. Its values are themselves 15 to 60 s
 * old, which each sample's time reflects.
 */
public final class MetricsServerLoads extends PolledLoadPart {
  /** The channel this part reports on. */
  public static final String CHANNEL = "metrics.k8s.io";

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, String> podSelector;
  private final Ticker ticker;
  private final Clock clock;
  private volatile Duration window;
  private volatile boolean readInFlight;

  /**
   * @param podSelector narrows the list to these pods; empty for every pod of the namespace
   * @param window the measurement window assumed until the first PodMetrics tells it
   */
  public MetricsServerLoads(KubernetesClient client, String namespace,
      Map<String, String> podSelector, Duration interval, Duration window, Ticker ticker,
      Clock clock) {
    super(CHANNEL, "kubernetes-load-view", interval);
    this.client = requireNonNull(client, "client");
    this.namespace = requireNonNull(namespace, "namespace");
    this.podSelector = requireNonNull(podSelector, "podSelector");
    this.window = requireNonNull(window, "window");
    this.ticker = requireNonNull(ticker, "ticker");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  void read() {
    readInFlight = true;
    try {
      PodMetricOperation op = client.top().pods().inNamespace(namespace);
      if (!podSelector.isEmpty()) {
        op = op.withLabels(podSelector);
      }
      List<PodMetrics> items = op.metrics().getItems();
      Map<String, Sample> read = new HashMap<>();
      for (PodMetrics m : items) {
        Sample s = sample(m);
        if (s != null) {
          read.put(m.getMetadata().getName(), s);
        }
      }
      if (read.isEmpty() && !items.isEmpty()) {
        health.failed(CHANNEL, FailureCause.MALFORMED, "no PodMetrics with a CPU usage and time");
        return;
      }
      health.ok(CHANNEL);
      sink.loads(Loads.perPod(read));
    } catch (RuntimeException e) {
      health.failed(CHANNEL, KubernetesApi.cause(e), String.valueOf(e.getMessage()));
    } finally {
      readInFlight = false;
    }
  }

  /** A pod's CPU in cores summed over its containers, or {@code null} if the item is unusable. */
  private Sample sample(PodMetrics m) {
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
      return new Sample(cores, Refresher.tickerTime(Instant.parse(m.getTimestamp()), clock,
          ticker));
    } catch (RuntimeException e) {
      // A garbled item leaves that pod out of the mean instead of failing the whole read.
      return null;
    }
  }

  /** The window of the last PodMetrics read, or the one given before the first read. */
  @Override
  public Duration measurementWindow() {
    return window;
  }

  /** Whether a list call is waiting for its answer now. */
  public boolean readInFlight() {
    return readInFlight;
  }
}
