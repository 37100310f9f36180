package dev.respread.demo;

import java.net.InetSocketAddress;
import java.util.Map;

/**
 * The pods of a Service behind a {@link ServiceBalancer}, as {@link ScaleOutScenario} drives
 * them: in this JVM with a view computed in process ({@link LocalCluster}), or as JVMs of their
 * own that a real Prometheus scrapes ({@link ProcessCluster}).
 */
interface Cluster extends AutoCloseable {
  /** The Service address that clients dial. */
  InetSocketAddress serviceAddress();

  /** Makes the first {@code count} pods the Service's endpoints, starting them if needed. */
  void scaleTo(int count) throws Exception;

  /**
   * What each pod in the Service served since the last tick, and what its load view says now.
   * Call it once per second.
   */
  ScaleOutScenario.Second tick(int t) throws Exception;

  /** What the pods' recyclers have done so far, summed over the pods. */
  Drains drains() throws Exception;

  @Override
  void close() throws Exception;

  /** Drains started and held back, by reason, and connections closed hard. */
  final class Drains {
    final Map<String, Long> byReason;
    final Map<String, Long> deferredByReason;
    final long forcedCloses;

    Drains(Map<String, Long> byReason, Map<String, Long> deferredByReason, long forcedCloses) {
      this.byReason = Map.copyOf(byReason);
      this.deferredByReason = Map.copyOf(deferredByReason);
      this.forcedCloses = forcedCloses;
    }
  }
}
