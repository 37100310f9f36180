package dev.respread.demo;

import java.util.List;
import java.util.Map;

/** Results with a timeline and latencies made up, for the tests of how results are shown. */
final class TestResults {
  private TestResults() {}

  /** A result of {@code timeline}, without drains or reconnects. */
  static ScaleOutScenario.Result of(Mode mode, ScaleOutScenario scenario,
      List<ScaleOutScenario.Second> timeline, long failed, Map<String, Long> failures,
      LatencyHistogram latency) {
    Cluster.Drains none = new Cluster.Drains(Map.of(), Map.of(), 0);
    long served = timeline.stream().mapToLong(s -> java.util.Arrays.stream(s.perPod).sum()).sum();
    return new ScaleOutScenario.Result(mode, scenario, timeline, served, failed, failures, 0,
        latency, none, none);
  }
}
