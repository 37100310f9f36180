package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The alternatives the demo compares respread with, each in a short scale-out of real grpc-java
 * clients and servers: 16 pinned clients on 2 pods, then 2 more pods. Every call is counted on the
 * client side.
 */
class ComparisonModesTest {
  private static ScaleOutScenario scenario(int runSeconds, double goAwayChance, Duration refresh) {
    return new ScaleOutScenario(2, 4, 16, 5, 15, Duration.ofSeconds(2),
        Duration.ofSeconds(runSeconds), Duration.ofSeconds(2), Duration.ofSeconds(5), 1, false,
        ScaleOutScenario.View.IN_PROCESS, Duration.ofSeconds(1), Map.of(), goAwayChance,
        refresh);
  }

  private static final ScaleOutScenario SHORT = scenario(4, 0.1, Duration.ofSeconds(30));

  @Test
  void closeEveryRequestReconnectsAboutOncePerCall() throws Exception {
    ScaleOutScenario.Result r = SHORT.run(Mode.CLOSE_EVERY_REQUEST, s -> { });

    assertThat(r.failed).as("failed calls, by status: " + r.failuresByCode).isZero();
    assertThat(r.drainsByReason.keySet()).containsOnly(GoAwayChance.REASON);
    // A call that reaches a connection before its client reads the GOAWAY is still served on
    // it, so a few calls share one; nearly every call has a connection of its own.
    assertThat((double) r.reconnects).as("reconnects for %d calls", r.calls())
        .isGreaterThan(0.8 * r.calls());
    assertThat(r.newPodsShare()).as("new pods' share of calls at the end").isGreaterThan(0.3);
  }

  @Test
  void goAwayChanceEndsAboutThatShareOfTheCallsConnections() throws Exception {
    ScaleOutScenario.Result r = SHORT.run(Mode.GOAWAY_CHANCE, s -> { });

    assertThat(r.failed).as("failed calls, by status: " + r.failuresByCode).isZero();
    long goAways = r.drainsByReason.getOrDefault(GoAwayChance.REASON, 0L);
    // p = 0.1 of several hundred calls: binomial, a standard deviation of about a tenth of it.
    assertThat((double) goAways).as("GOAWAYs for %d calls", r.calls())
        .isBetween(0.05 * r.calls(), 0.15 * r.calls());
    assertThat(r.reconnects).as("reconnects").isPositive();
    assertThat(r.newPodsShare()).as("new pods' share of calls at the end").isPositive();
  }

  @Test
  void clientSideReachesTheNewPodsOnlyOnceItsClientsResolveAgain() throws Exception {
    // Each client resolves every 3 s, at a phase of its own: the new pods fill in over 3 s.
    ScaleOutScenario scenario = scenario(7, 0.1, Duration.ofSeconds(3));
    ScaleOutScenario.Result r = scenario.run(Mode.CLIENT_SIDE, s -> { });

    assertThat(r.failed).as("failed calls, by status: " + r.failuresByCode).isZero();
    // round_robin over every pod from the start: the two first pods even, nothing replaced.
    assertThat(r.timeline.get(1).maxOverMean()).isLessThan(1.2);
    assertThat(r.reconnects).as("reconnects").isZero();
    assertThat(r.drains()).isZero();
    long[] firstAfter = r.timeline.get(2).perPod;
    long[] lastSecond = r.timeline.get(r.timeline.size() - 1).perPod;
    assertThat(firstAfter[2] + firstAfter[3])
        .as("calls on the new pods in the first second after the scale-out")
        .isLessThan(lastSecond[2] + lastSecond[3]);
    // Every client has resolved the 4 pods by the last third: even, as round_robin makes it.
    assertThat(r.newPodsShare()).as("new pods' share of calls at the end").isBetween(0.4, 0.6);
    assertThat(r.maxOverMeanAtEnd()).isLessThan(1.25);
  }

  @Test
  void l7ProxyBalancesEveryCallThroughHaproxyWithoutAReconnect() throws Exception {
    ScaleOutScenario.Result r = SHORT.run(Mode.L7_PROXY, s -> { });

    assertThat(r.failed).as("failed calls, by status: " + r.failuresByCode).isZero();
    assertThat(r.reconnects).as("reconnects").isZero();
    assertThat(r.drains()).isZero();
    // Per request, round robin: every second after the scale-out, the pods are about even.
    assertThat(r.newPodsShare()).as("new pods' share of calls at the end").isBetween(0.4, 0.6);
    assertThat(r.maxOverMeanAtEnd()).isLessThan(1.2);
    // The hop is a process of its own, which costs CPU.
    assertThat(r.proxyCpuSeconds).as("HAProxy's CPU seconds").isPositive();
  }
}
