package dev.respread.demo;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import dev.respread.StaticLoadView;
import dev.respread.Ticker;
import dev.respread.grpc.GrpcRecycling;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pod of the local cluster: a grpc-java server on Netty wired with respread, exactly as the
 * README shows, and the load view that the cluster feeds with the Service's request rates.
 */
final class Pod implements AutoCloseable {
  /** Below this difference in requests per second, a pod does not count as busier. */
  static final double NOISE_FLOOR_RPS = 2.0;

  private final String name;
  private final AtomicLong served = new AtomicLong();
  private long servedAtLastTake;
  private final StaticLoadView view = new StaticLoadView(Ticker.system(), NOISE_FLOOR_RPS);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ConnectionRecycler recycler;
  /** The demo's GOAWAY-per-call trigger, or null without one. */
  private final GoAwayChance goAwayChance;
  private final Server server;

  Pod(String name, RecyclingConfig config, boolean withLoadView) throws IOException {
    this(name, config, withLoadView, 0);
  }

  /**
   * @param goAwayChance the probability that a call ends its connection ({@link GoAwayChance}),
   *     0 for never
   */
  Pod(String name, RecyclingConfig config, boolean withLoadView, double goAwayChance)
      throws IOException {
    this.name = name;
    ConnectionRecycler.Builder recyclerBuilder = ConnectionRecycler.builder(config)
        .meterRegistry(meters)
        .name(name);
    if (withLoadView) {
      recyclerBuilder.loadView(view);
    }
    this.recycler = recyclerBuilder.build();
    this.goAwayChance = goAwayChance > 0 ? new GoAwayChance(goAwayChance) : null;
    try {
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
      this.server = (this.goAwayChance == null
              ? GrpcRecycling.configure(builder, recycler)
              : this.goAwayChance.configure(builder, recycler))
          .addService(HelloService.definition(name, served))
          .build()
          .start();
    } catch (IOException | RuntimeException e) {
      recycler.close();
      if (this.goAwayChance != null) {
        this.goAwayChance.close();
      }
      throw e;
    }
  }

  String name() {
    return name;
  }

  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getPort());
  }

  /** Calls this pod has served since the last call of this method; called by one thread. */
  long servedSinceLastTake() {
    long now = served.get();
    long since = now - servedAtLastTake;
    servedAtLastTake = now;
    return since;
  }

  /** What the shared metrics view says about this pod and the Service, once per second. */
  void observe(double ownRate, double meanRate, int readyPods) {
    view.update(ownRate, meanRate, readyPods);
  }

  /**
   * Connections this pod has drained, by reason ({@code max_age}, {@code load}, ...), and those
   * the demo's {@link GoAwayChance} ended, as {@link GoAwayChance#REASON}.
   */
  Map<String, Long> drains() {
    Map<String, Long> drains = byReason("respread.connections.drained");
    if (goAwayChance != null && goAwayChance.goAways() > 0) {
      drains.put(GoAwayChance.REASON, goAwayChance.goAways());
    }
    return drains;
  }

  /** Drains the budget held back, by reason. */
  Map<String, Long> deferred() {
    return byReason("respread.drains.deferred");
  }

  private Map<String, Long> byReason(String counter) {
    Map<String, Long> byReason = new TreeMap<>();
    for (Counter c : meters.find(counter).counters()) {
      long n = (long) c.count();
      if (n > 0) {
        byReason.merge(c.getId().getTag("reason"), n, Long::sum);
      }
    }
    return byReason;
  }

  /** This pod's load over the mean, as its recycler last read it; NaN when unknown. */
  double loadRatio() {
    return meters.get("respread.load.ratio").gauge().value();
  }

  /** The members its recycler last read; 0 when unknown. */
  int members() {
    return (int) meters.get("respread.load.members").gauge().value();
  }

  /** Connections closed hard because calls outlived the grace. */
  long forcedCloses() {
    return (long) meters.find("respread.connections.forced").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  @Override
  public void close() throws InterruptedException {
    recycler.close();
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (goAwayChance != null) {
      goAwayChance.close();
    }
  }
}
