package dev.respread.demo;

import dev.respread.RecyclingConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Service of pods behind a {@link ServiceBalancer}, with a shared metrics view computed in
 * process: once per second every pod learns its own request rate over the last second, the mean
 * over the ready pods and how many pods are ready, as the Prometheus view would tell it. New pods
 * count in the mean at once, at zero, as an EndpointSlice watch would show them.
 */
final class LocalCluster implements Cluster {
  private final RecyclingConfig config;
  private final boolean withLoadView;
  private final ServiceBalancer service;
  private final List<Pod> pods = new ArrayList<>();
  private final double goAwayChance;

  LocalCluster(RecyclingConfig config, boolean withLoadView, ServiceBalancer service) {
    this(config, withLoadView, service, 0);
  }

  /**
   * @param goAwayChance the probability that a call ends its connection, through the demo's own
   *     trigger ({@link GoAwayChance}); 0 for never
   */
  LocalCluster(RecyclingConfig config, boolean withLoadView, ServiceBalancer service,
      double goAwayChance) {
    this.config = config;
    this.withLoadView = withLoadView;
    this.service = service;
    this.goAwayChance = goAwayChance;
  }

  @Override
  public InetSocketAddress serviceAddress() {
    return service.address();
  }

  /** Starts {@code count} more pods and adds them to the Service's endpoints once they listen. */
  @Override
  public void scaleTo(int count) throws IOException {
    while (pods.size() < count) {
      pods.add(new Pod("pod-" + (pods.size() + 1), config, withLoadView, goAwayChance));
    }
    List<InetSocketAddress> ready = new ArrayList<>();
    for (Pod p : pods) {
      ready.add(p.address());
    }
    service.endpoints(ready);
  }

  /**
   * Measures each pod's calls since the last tick and publishes the view's snapshot to every pod.
   * Call it once per second.
   */
  @Override
  public ScaleOutScenario.Second tick(int t) {
    long[] rates = new long[pods.size()];
    double[] ratios = new double[pods.size()];
    long total = 0;
    int members = Integer.MAX_VALUE;
    for (int i = 0; i < pods.size(); i++) {
      rates[i] = pods.get(i).servedSinceLastTake();
      total += rates[i];
      // What each recycler read a second ago, as a pod's /metrics would show it now.
      ratios[i] = pods.get(i).loadRatio();
      members = Math.min(members, pods.get(i).members());
    }
    double mean = total / (double) pods.size();
    for (int i = 0; i < pods.size(); i++) {
      pods.get(i).observe(rates[i], mean, pods.size());
    }
    return new ScaleOutScenario.Second(t, rates, ratios, pods.isEmpty() ? 0 : members);
  }

  @Override
  public Drains drains() {
    Map<String, Long> byReason = new TreeMap<>();
    Map<String, Long> deferred = new TreeMap<>();
    long forced = 0;
    for (Pod p : pods) {
      p.drains().forEach((reason, n) -> byReason.merge(reason, n, Long::sum));
      p.deferred().forEach((reason, n) -> deferred.merge(reason, n, Long::sum));
      forced += p.forcedCloses();
    }
    return new Drains(byReason, deferred, forced);
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
