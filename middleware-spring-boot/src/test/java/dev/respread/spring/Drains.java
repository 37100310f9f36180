package dev.respread.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.Protocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** What the application's registry says respread drained. */
final class Drains {
  /** Sends traffic that the test counts. */
  interface Send {
    Traffic send() throws Exception;
  }

  /** Every recycling test's client side: 4 clients of 30 requests each. */
  static final int CLIENTS = 4;
  static final int REQUESTS = 30;

  private Drains() {}

  /**
   * Sends {@link #CLIENTS} × {@link #REQUESTS} requests with {@code send} and checks what every
   * recycling test promises: each one succeeded, {@code protocol}'s connections reached the
   * request cap at least 20 times meanwhile (the tests' cap is 5 requests), and none was closed
   * hard.
   */
  static void assertRecycledWithoutAFailure(MeterRegistry registry, Protocol protocol,
      Send send) throws Exception {
    double before = forRequestCap(registry, protocol);
    Traffic t = send.send();

    assertThat(t.failures).isEmpty();
    assertThat(t.succeeded).hasValue(CLIENTS * REQUESTS);
    assertThat(forRequestCap(registry, protocol) - before).isGreaterThanOrEqualTo(20);
    assertThat(forced(registry, protocol)).isZero();
  }

  /** Drains for the request cap of {@code protocol}'s connections. */
  static double forRequestCap(MeterRegistry registry, Protocol protocol) {
    return registry.find("respread.connections.drained").tag("protocol", protocol.tagValue())
        .tag("reason", "max_requests").counters().stream().mapToDouble(Counter::count).sum();
  }

  /** Drains for shutdown of {@code protocol}'s connections. */
  static double forShutdown(MeterRegistry registry, Protocol protocol) {
    return registry.find("respread.connections.drained").tag("protocol", protocol.tagValue())
        .tag("reason", "shutdown").counters().stream().mapToDouble(Counter::count).sum();
  }

  /**
   * Connections of {@code protocol} closed hard when the grace ran out with requests taken as
   * still in flight: none, when every drain was graceful.
   */
  static double forced(MeterRegistry registry, Protocol protocol) {
    return registry.find("respread.connections.forced").tag("protocol", protocol.tagValue())
        .counters().stream().mapToDouble(Counter::count).sum();
  }
}
