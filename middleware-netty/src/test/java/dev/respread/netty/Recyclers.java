package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import dev.respread.internal.RecyclerMetrics;
import dev.respread.testing.FakeClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/** A recycler with its own registry, and the counters tests read from it. */
final class Recyclers implements AutoCloseable {
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final ConnectionRecycler recycler;

  Recyclers(RecyclingConfig config) {
    recycler = ConnectionRecycler.builder(config).meterRegistry(registry).name("test").build();
  }

  /** A recycler whose time and rule ticks move only when {@code clock} is advanced. */
  Recyclers(RecyclingConfig config, FakeClock clock) {
    recycler = ConnectionRecycler.builder(config).meterRegistry(registry).name("test")
        .ticker(clock).scheduler(clock.scheduler()).build();
  }

  /** Recycles every few requests and every few hundred milliseconds, with a generous grace. */
  static RecyclingConfig.Builder fast() {
    return RecyclingConfig.builder()
        .maxRequestsPerConnection(5)
        .maxConnectionAge(Duration.ofMillis(300))
        .maxConnectionAgeGrace(Duration.ofSeconds(20))
        .jitter(0.1)
        .maxDrainsPerSecond(100_000)
        .maxDrainingFraction(1.0)
        .goAwayPingTimeout(Duration.ofSeconds(2));
  }

  /** Never recycles by age; drains only when a test's request cap is reached. */
  static RecyclingConfig.Builder capOnly(long cap) {
    return RecyclingConfig.builder()
        .maxRequestsPerConnection(cap)
        .maxConnectionAge(Duration.ofHours(1))
        .maxConnectionAgeGrace(Duration.ofHours(1))
        .jitter(0)
        .maxDrainsPerSecond(100_000)
        .maxDrainingFraction(1.0);
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

  /** Requests served on connections that have closed, as the server counted them. */
  double requestsOnClosedConnections() {
    return registry.find(RecyclerMetrics.CONNECTION_REQUESTS).summaries().stream()
        .mapToDouble(DistributionSummary::totalAmount).sum();
  }

  /** Waits until every connection has closed, for at most 10 seconds. */
  void awaitAllClosed() throws InterruptedException {
    for (int i = 0; i < 200 && recycler.openConnections() > 0; i++) {
      Thread.sleep(50);
    }
    assertThat(recycler.openConnections())
        .as("connections still open").isZero();
  }

  /**
   * The client opened new connections, the server accepted exactly those, drained more than a
   * few and closed none hard. (Clients may open and drop spare connections of their own, so
   * drains can be fewer than connections.)
   */
  void assertRecycled(TestServer server, int clientConnections) {
    assertThat(clientConnections).as("client connections").isGreaterThan(3);
    assertThat(server.accepted.get()).as("server accepts").isEqualTo(clientConnections);
    assertThat(opened()).as("opened").isEqualTo(clientConnections);
    assertThat(drained()).as("drained").isGreaterThan(3).isLessThanOrEqualTo(clientConnections);
    assertThat(forced()).as("forced").isZero();
  }

  private double sum(String name) {
    return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  @Override
  public void close() {
    recycler.close();
    registry.close();
  }
}
