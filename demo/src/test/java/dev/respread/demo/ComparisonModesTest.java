package dev.respread.demo;

import static dev.respread.demo.DemoOutput.result;
import static dev.respread.demo.DemoOutput.runInNamespaces;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alternatives the demo compares respread with, each in a short scale-out of real grpc-java
 * clients and servers: 16 pinned clients on 2 pods, then 2 more pods. Every call is counted on the
 * client side. The last two run the demo in network (and PID) namespaces of its own, behind
 * kube-proxy-style iptables rules, as {@code IptablesServiceTest} does; they need root, iptables,
 * iproute2, Debian's {@code haproxy} and {@code prometheus} (installed by {@code .ci/run}).
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
  void closeEveryRequestReconnectsForMostCalls() throws Exception {
    ScaleOutScenario.Result r = SHORT.run(Mode.CLOSE_EVERY_REQUEST, s -> { });

    assertThat(r.failed).as("failed calls, by status: " + r.failuresByCode).isZero();
    assertThat(r.drainsByReason.keySet()).containsOnly(GoAwayChance.REASON);
    // Calls that a client sends while its next connection opens all go on that connection, and
    // one that reaches a connection before its client reads the GOAWAY is still served on it, so
    // some calls share one (0.68 connections per call at 557 calls/s in BENCHMARKS.md).
    assertThat((double) r.reconnects).as("reconnects for %d calls", r.calls())
        .isGreaterThan(0.5 * r.calls());
    assertThat(r.newPodsShare()).as("new pods' share of calls at the end").isGreaterThan(0.3);
  }

  @Test
  void respreadsRequestCapIsNeverHeldBackByTheDrainBudget() throws Exception {
    // respread's own closest setting: a cap of 2 calls (1 is refused), without jitter.
    ScaleOutScenario capped = new ScaleOutScenario(2, 4, 16, 5, 15, Duration.ofSeconds(2),
        Duration.ofSeconds(4), Duration.ofSeconds(2), Duration.ofSeconds(5), 1, false,
        ScaleOutScenario.View.IN_PROCESS, Duration.ofSeconds(1),
        Map.of("RESPREAD_MAX_REQUESTS_PER_CONNECTION", "2", "RESPREAD_JITTER", "0"));

    ScaleOutScenario.Result r = capped.run(Mode.RESPREAD, s -> { });

    assertThat(r.failed).as("failed calls, by status: " + r.failuresByCode).isZero();
    // Hundreds of drains a second, far above the budget's 10 per second per pod: none deferred.
    assertThat(r.deferredByReason).doesNotContainKey("max_requests");
    assertThat((double) r.drainsByReason.getOrDefault("max_requests", 0L))
        .as("request-cap drains for %d calls", r.calls()).isGreaterThan(0.4 * r.calls());
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

  @Test
  void everyAlternativeRunsBehindIptablesWithoutAFailedCall(@TempDir Path dir) throws Exception {
    String printed = runInNamespaces(dir, "--proxy", "iptables",
        "--modes", "close-every-request,goaway-chance,client-side,l7-proxy",
        "--pods", "2", "--scale-to", "4", "--clients", "12", "--min-rate", "5",
        "--max-rate", "15", "--warmup", "2s", "--run", "4s", "--goaway-chance", "0.1",
        "--refresh", "2s", "--quiet");

    for (String mode : List.of("close-every-request", "goaway-chance", "client-side",
        "l7-proxy")) {
      assertThat(result(printed, mode)).as(printed).containsEntry("failed", "0")
          .containsEntry("forced", "0");
    }
    Map<String, String> close = result(printed, "close-every-request");
    assertThat(Double.parseDouble(close.get("reconnects")))
        .as(printed).isGreaterThan(0.5 * Double.parseDouble(close.get("calls")));
    assertThat(Long.parseLong(result(printed, "goaway-chance").get("reconnects")))
        .as(printed).isPositive();
    // The L7 proxy takes the Service's address; the pods get every client's calls through it.
    Map<String, String> proxy = result(printed, "l7-proxy");
    assertThat(proxy).as(printed).containsEntry("reconnects", "0");
    assertThat(Double.parseDouble(proxy.get("new_pods_share"))).as(printed).isGreaterThan(0.4);
    assertThat(Double.parseDouble(proxy.get("proxy_cpu_seconds"))).as(printed).isPositive();
  }

  @Test
  void podsOfTheirOwnEndConnectionsByChanceWithoutAFailedCall(@TempDir Path dir)
      throws Exception {
    // The pods are JVMs of their own (PodMain), given the chance by DEMO_GOAWAY_CHANCE.
    String printed = runInNamespaces(dir, "--proxy", "iptables", "--view", "prometheus",
        "--modes", "goaway-chance", "--pods", "2", "--scale-to", "4", "--clients", "12",
        "--min-rate", "5", "--max-rate", "15", "--warmup", "2s", "--run", "4s",
        "--goaway-chance", "0.1", "--quiet");

    Map<String, String> r = result(printed, "goaway-chance");
    assertThat(r).as(printed).containsEntry("failed", "0").containsEntry("forced", "0");
    double calls = Double.parseDouble(r.get("calls"));
    // The pods' demo_goaways_total, read from their /metrics.
    assertThat(Double.parseDouble(r.get("drains"))).as(printed)
        .isBetween(0.05 * calls, 0.15 * calls);
  }
}
