package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import dev.respread.internal.RecyclerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A recycler that recycles fast, and the server-side counts the tests assert on. */
final class Recycling implements AutoCloseable {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ConnectionRecycler recycler;

  private Recycling(RecyclingConfig config) {
    this.recycler = ConnectionRecycler.builder(config).meterRegistry(registry).name("test")
        .build();
  }

  /** Every 5 requests (jittered) or 300 ms, with an unlimited drain budget. */
  static RecyclingConfig.Builder fast() {
    return RecyclingConfig.builder()
        .maxRequestsPerConnection(5)
        .maxConnectionAge(Duration.ofMillis(300))
        .jitter(0.1)
        .maxDrainsPerSecond(100_000)
        .maxDrainingFraction(1.0);
  }

  static Recycling start(RecyclingConfig config) {
    return new Recycling(config);
  }

  static Recycling fastRecycling() {
    return start(fast().build());
  }

  double opened() {
    return sum(RecyclerMetrics.CONNECTIONS_OPENED);
  }

  double drained() {
    return sum(RecyclerMetrics.CONNECTIONS_DRAINED);
  }

  double forced() {
    return sum(RecyclerMetrics.CONNECTIONS_FORCED);
  }

  double drained(String protocol) {
    return registry.find(RecyclerMetrics.CONNECTIONS_DRAINED).tag("protocol", protocol)
        .counters().stream().mapToDouble(Counter::count).sum();
  }

  private double sum(String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Asserts that the server drained connections and the client really came back on new ones. */
  void assertRecycled(String protocol, long clientConnections) {
    System.out.printf("recycled over %s: drained=%.0f opened=%.0f forced=%.0f "
        + "clientConnections=%d%n", protocol, drained(protocol), opened(), forced(),
        clientConnections);
    assertThat(drained(protocol)).as("connections drained over " + protocol).isGreaterThan(1);
    assertThat(opened()).as("connections opened").isGreaterThan(1);
    assertThat(clientConnections).as("distinct client connections").isGreaterThan(1);
  }

  /**
   * Waits, at most 15 s, until {@code done} and no connection is tracked: the liveness bound of
   * a test, never a figure it asserts.
   */
  void awaitNoOpenConnections(BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while ((!done.getAsBoolean() || recycler.openConnections() > 0)
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Override
  public void close() {
    recycler.close();
  }
}
