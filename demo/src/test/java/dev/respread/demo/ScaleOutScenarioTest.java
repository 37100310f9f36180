package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's scale-out in short: 24 pinned grpc-java clients on 2 pods behind the per-connection
 * random proxy, then 2 more pods. Every call is counted on the client side.
 */
class ScaleOutScenarioTest {
  /**
   * The warm-up gives the pods' view time to see 2 members on distinct reads for a second, the
   * baseline a scale-out is judged against; on a machine busy with other builds 3 s was once too
   * little, and the handover showed as load only.
   */
  private static final ScaleOutScenario SCENARIO = new ScaleOutScenario(2, 4, 24, 5, 20,
      Duration.ofSeconds(5), Duration.ofSeconds(9), Duration.ofSeconds(2), Duration.ofSeconds(5),
      1, false, ScaleOutScenario.View.IN_PROCESS, Duration.ofSeconds(1), Map.of());

  @Test
  void withoutRecyclingPinnedClientsNeverReachTheNewPods() throws Exception {
    ScaleOutScenario.Result r = SCENARIO.run(Mode.OFF, s -> { });

    assertThat(r.failed).as("failed calls").isZero();
    assertThat(r.succeeded).isPositive();
    assertThat(r.drains()).isZero();
    assertThat(r.reconnects).isZero();
    assertThat(r.newPodsShare()).as("new pods' share of calls").isZero();
  }

  @Test
  void respreadMovesClientsToTheNewPodsWithoutFailingACall() throws Exception {
    ScaleOutScenario.Result r = SCENARIO.run(Mode.RESPREAD, s -> { });

    assertThat(r.failed).as("failed calls, by status: " + r.failuresByCode).isZero();
    assertThat(r.forcedCloses).isZero();
    assertThat(r.drainsByReason).containsKey("scale_out");
    assertThat(r.reconnects).as("client reconnects").isPositive();
    // Fair is 0.5. The scale-out reaction alone moves half of each old pod's clients, of which
    // half land on a new pod: about 0.25 before the load rule moves more.
    assertThat(r.newPodsShare()).as("new pods' share of calls at the end").isGreaterThan(0.2);
  }

  @Test
  void fixedAgeRecyclesEveryConnectionWithoutFailingACall() throws Exception {
    ScaleOutScenario.Result r = SCENARIO.run(Mode.FIXED_AGE, s -> { });

    assertThat(r.failed).as("failed calls, by status: " + r.failuresByCode).isZero();
    assertThat(r.forcedCloses).isZero();
    assertThat(r.drainsByReason.keySet()).containsOnly("max_age");
    // 12 s at a 2 s age (± 10 %): every client's connection ends several times.
    assertThat(r.drains()).isGreaterThanOrEqualTo(2L * SCENARIO.clients);
    assertThat(r.reconnects).isPositive();
  }

  @Test
  void balanceHeldCountsFromWhenTheViewSeesTheNewPods() {
    // Scale-out after 5 s (the scenario's warm-up); the pods' view counts 4 members at t = 7;
    // 1.1 from t = 9 to the end.
    List<ScaleOutScenario.Second> timeline = new ArrayList<>();
    for (int t = 1; t <= 14; t++) {
      long[] calls = t <= 5 ? new long[] {100, 100}
          : t == 6 ? new long[] {100, 100, 0, 0}
          : t <= 8 ? new long[] {80, 80, 20, 20}
          : new long[] {55, 50, 50, 45};
      timeline.add(new ScaleOutScenario.Second(t, calls, new double[calls.length],
          t < 7 ? 2 : 4));
    }
    ScaleOutScenario.Result r = result(timeline);

    assertThat(r.secondsToMembers()).isEqualTo(2);
    assertThat(r.secondsToHeldBalance()).isEqualTo(2);
    assertThat(r.minOverMeanAtEnd()).isEqualTo(0.9);

    // Five balanced seconds at the end are not six.
    timeline.set(8, new ScaleOutScenario.Second(9, new long[] {100, 50, 30, 20},
        new double[4], 4));
    assertThat(result(timeline).secondsToHeldBalance()).isEqualTo(-1);
  }

  private static ScaleOutScenario.Result result(List<ScaleOutScenario.Second> timeline) {
    Cluster.Drains none = new Cluster.Drains(Map.of(), Map.of(), 0);
    return new ScaleOutScenario.Result(Mode.RESPREAD, SCENARIO, timeline, 1, 0, Map.of(), 0,
        new LatencyHistogram(), none, none);
  }

  @Test
  void refusesAScaleToFewerPods() {
    assertThatThrownBy(() -> new ScaleOutScenario(4, 2, 1, 1, 1, Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, false,
        ScaleOutScenario.View.IN_PROCESS, Duration.ofSeconds(1), Map.of()))
        .hasMessage("scaleTo: 2 (expected: >= pods, 4)");
  }

  @Test
  void refusesAnUnknownMode() {
    assertThatThrownBy(() -> Mode.of("round-robin"))
        .hasMessage("mode: \"round-robin\" (expected: off, fixed-age, respread, "
            + "close-every-request, goaway-chance, client-side or l7-proxy)");
  }
}
