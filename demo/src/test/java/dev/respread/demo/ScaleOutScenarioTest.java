package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo's scale-out in short: 24 pinned grpc-java clients on 2 pods behind the per-connection
 * random proxy, then 2 more pods. Every call is counted on the client side.
 */
class ScaleOutScenarioTest {
  private static final ScaleOutScenario SCENARIO = new ScaleOutScenario(2, 4, 24, 5, 20,
      Duration.ofSeconds(3), Duration.ofSeconds(9), Duration.ofSeconds(2), Duration.ofSeconds(5),
      1, false, Map.of());

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
  void refusesAScaleToFewerPods() {
    assertThatThrownBy(() -> new ScaleOutScenario(4, 2, 1, 1, 1, Duration.ofSeconds(1),
        Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1), 1, false, Map.of()))
        .hasMessage("scaleTo: 2 (expected: >= pods, 4)");
  }

  @Test
  void refusesAnUnknownMode() {
    assertThatThrownBy(() -> Mode.of("round-robin"))
        .hasMessage("mode: \"round-robin\" (expected: off, fixed-age or respread)");
  }
}
