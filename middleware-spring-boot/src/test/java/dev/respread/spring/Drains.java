package dev.respread.spring;

import dev.respread.Protocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** What the application's registry says respread drained. */
final class Drains {
  private Drains() {}

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
