package dev.respread.grpc;

import dev.respread.ConnectionRecycler;
import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import dev.respread.internal.RecyclerMetrics;
import io.grpc.Server;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A real grpc-java server on a free loopback port, with its recycler and its meters. */
@SuppressWarnings("try")
final class RecyclingServer implements AutoCloseable {
  final String name;
  final ConnectionRecycler recycler;
  final Server server;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "echo-timer");
    t.setDaemon(true);
    return t;
  });

  private RecyclingServer(ServerFlavour flavour, String name, RecyclingConfig config)
      throws IOException {
    this.name = name;
    this.recycler = ConnectionRecycler.builder(config).meterRegistry(registry).name("grpc")
        .build();
    this.server = flavour.start(recycler, EchoService.definition(name, timer));
  }

  static RecyclingServer start(ServerFlavour flavour, String name, RecyclingConfig config)
      throws IOException {
    return new RecyclingServer(flavour, name, config);
  }

  /**
   * Settings that recycle fast: every few calls and every few hundred milliseconds, with a drain
   * budget that never holds a drain back.
   */
  static RecyclingConfig.Builder fastRecycling() {
    return RecyclingConfig.builder()
        .maxConnectionAge(Duration.ofMillis(300))
        .maxConnectionAgeGrace(Duration.ofSeconds(20))
        .maxRequestsPerConnection(5)
        .jitter(0.1)
        .maxDrainsPerSecond(1000)
        .maxDrainingFraction(1.0)
        .shutdownDelay(Duration.ZERO);
  }

  int port() {
    return server.getPort();
  }

  double opened() {
    return sum(RecyclerMetrics.CONNECTIONS_OPENED);
  }

  double drained() {
    return sum(RecyclerMetrics.CONNECTIONS_DRAINED);
  }

  double drained(RecycleReason reason) {
    return registry.find(RecyclerMetrics.CONNECTIONS_DRAINED).tag("reason", reason.tagValue())
        .counters().stream().mapToDouble(Counter::count).sum();
  }

  double forced() {
    return sum(RecyclerMetrics.CONNECTIONS_FORCED);
  }

  /** The most calls any closed connection served. */
  double maxCallsPerConnection() {
    return registry.get(RecyclerMetrics.CONNECTION_REQUESTS).tag("protocol", "grpc").summary()
        .max();
  }

  private double sum(String counter) {
    return registry.find(counter).tag("protocol", "grpc").counters().stream()
        .mapToDouble(Counter::count).sum();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(10, TimeUnit.SECONDS);
    recycler.close();
    timer.shutdownNow();
  }
}
