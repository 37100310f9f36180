package dev.respread.demo;

import dev.respread.RecyclingConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A Service of pods behind a {@link ServiceBalancer}, with a shared metrics view computed in
 * process: once per second every pod learns its own request rate over the last second, the mean
 * over the ready pods and how many pods are ready, as the Prometheus view would tell it. New pods
 * count in the mean at once, at zero, as an EndpointSlice watch would show them.
 */
final class LocalCluster implements AutoCloseable {
  private final RecyclingConfig config;
  private final boolean withLoadView;
  private final ServiceBalancer service;
  private final List<Pod> pods = new ArrayList<>();

  LocalCluster(RecyclingConfig config, boolean withLoadView, ServiceBalancer service) {
    this.config = config;
    this.withLoadView = withLoadView;
    this.service = service;
  }

  /** The Service address that clients dial. */
  InetSocketAddress serviceAddress() {
    return service.address();
  }

  /** Starts {@code count} more pods and adds them to the Service's endpoints once they listen. */
  void scaleTo(int count) throws IOException {
    while (pods.size() < count) {
      pods.add(new Pod("pod-" + (pods.size() + 1), config, withLoadView));
    }
    List<InetSocketAddress> ready = new ArrayList<>();
    for (Pod p : pods) {
      ready.add(p.address());
    }
    service.endpoints(ready);
  }

  List<Pod> pods() {
    return List.copyOf(pods);
  }

  /**
   * Measures each pod's calls since the last tick and publishes the view's snapshot to every pod.
   * Call it once per second.
   *
   * @return the calls each pod served since the last tick, in pod order
   */
  long[] tick() {
    long[] rates = new long[pods.size()];
    long total = 0;
    for (int i = 0; i < pods.size(); i++) {
      rates[i] = pods.get(i).servedSinceLastTake();
      total += rates[i];
    }
    double mean = total / (double) pods.size();
    for (int i = 0; i < pods.size(); i++) {
      pods.get(i).observe(rates[i], mean, pods.size());
    }
    return rates;
  }

  @Override
  public void close() throws Exception {
    try {
      service.close();
    } finally {
      for (Pod p : pods) {
        p.close();
      }
    }
  }
}
