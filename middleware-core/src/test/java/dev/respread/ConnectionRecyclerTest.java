package dev.respread;

import static dev.respread.testing.EngineHarness.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.respread.internal.RecyclerMetrics;
import dev.respread.testing.EngineHarness;
import dev.respread.testing.FakeClock;
import dev.respread.testing.RecordingConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The age, request, grace, budget and shutdown rules, on a fake clock. */
class ConnectionRecyclerTest {
  private static final Duration MAX_AGE = Duration.ofMinutes(10);
  private static final Duration GRACE = Duration.ofSeconds(30);

  private static RecyclingConfig.Builder config() {
    return RecyclingConfig.builder()
        .maxConnectionAge(Duration.ofMinutes(10))
        .maxConnectionAgeGrace(Duration.ofSeconds(30))
        .maxDrainsPerSecond(1000)
        .maxDrainingFraction(1.0)
        .shutdownDelay(Duration.ofSeconds(5));
  }

  @Test
  void connectionIsDrainedAtItsMaxAge() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      RecordingConnection c = new RecordingConnection();
      h.open(c, Protocol.HTTP_2);
      h.advance(Duration.ofMinutes(10).minusMillis(200));
      assertThat(c.drains).isEmpty();
      h.advance(Duration.ofMillis(200));
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
      assertThat(c.graces).containsExactly(Duration.ofSeconds(30));
    }
  }

  @Test
  void ageIsJitteredDownByAtMostTheJitter() {
    try (EngineHarness h = new EngineHarness(config().jitter(0.1).build(), null, () -> 0.0)) {
      RecordingConnection c = new RecordingConnection();
      h.open(c, Protocol.HTTP_2);
      h.advance(Duration.ofMinutes(9).minusMillis(200));
      assertThat(c.drains).isEmpty();
      h.advance(Duration.ofMillis(300));
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
    }
  }

  @Test
  void ageIsJitteredUpByAtMostTheJitter() {
    try (EngineHarness h = new EngineHarness(config().jitter(0.1).build(), null,
        () -> 0.9999999)) {
      RecordingConnection c = new RecordingConnection();
      h.open(c, Protocol.HTTP_2);
      h.advance(Duration.ofMinutes(11).minusMillis(200));
      assertThat(c.drains).isEmpty();
      h.advance(Duration.ofMillis(300));
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
    }
  }

  @Test
  void jitteredAgeNeverFallsBelowTheFloor() {
    try (EngineHarness h = new EngineHarness(config().maxConnectionAge(Duration.ofMillis(100))
        .jitter(1.0).build(), null, () -> 0.0)) {
      RecordingConnection c = new RecordingConnection();
      h.open(c, Protocol.HTTP_2);
      h.advance(Duration.ofMillis(99));
      assertThat(c.drains).isEmpty();
      h.advance(Duration.ofMillis(101));
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
    }
  }

  @Test
  void requestCapDrainsOnTheRequestThatReachesIt() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(100).build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_2);
      serve(t, 99);
      assertThat(c.drains).isEmpty();
      t.requestStarted();
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_REQUESTS);
    }
  }

  @Test
  void requestCapIsJittered() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(100).jitter(0.1)
        .build(), null, () -> 0.0)) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_2);
      serve(t, 89);
      assertThat(c.drains).isEmpty();
      t.requestStarted();
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_REQUESTS);
    }
  }

  @Test
  void requestCapOfZeroNeverDrains() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(0).build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_2);
      serve(t, 100_000);
      h.advance(Duration.ofSeconds(1));
      assertThat(c.drains).isEmpty();
    }
  }

  @Test
  void http1ResponseCarriesCloseOnceTheCapIsReached() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(3).build())) {
      TrackedConnection t = h.open(new RecordingConnection(), Protocol.HTTP_1_1);
      t.requestStarted();
      assertThat(t.closeAfterResponse()).isFalse();
      t.requestFinished();
      t.requestStarted();
      assertThat(t.closeAfterResponse()).isFalse();
      t.requestFinished();
      t.requestStarted();
      assertThat(t.closeAfterResponse()).isTrue();
      t.requestFinished();
      assertThat(t.closeAfterResponse()).isTrue();
    }
  }

  @Test
  void coincidingTriggersGiveOneDrainCountedOnce() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(10).build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_2);
      h.advance(Duration.ofMinutes(10).minusMillis(50));
      serve(t, 10);
      h.advance(Duration.ofMinutes(1));
      h.recycler.shutdown();
      h.advance(Duration.ofSeconds(10));
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_REQUESTS);
      assertThat(h.counter(RecyclerMetrics.CONNECTIONS_DRAINED)).isEqualTo(1.0);
    }
  }

  @Test
  void busyConnectionIsClosedHardAfterTheGraceAndCounted() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(2).build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_2);
      t.requestStarted();
      t.requestStarted();
      h.advance(Duration.ofSeconds(29));
      assertThat(c.forceCloses).isZero();
      h.advance(Duration.ofSeconds(2));
      assertThat(c.forceCloses).isEqualTo(1);
      assertThat(h.counter(RecyclerMetrics.CONNECTIONS_FORCED, "protocol", "h2")).isEqualTo(1.0);
      h.advance(Duration.ofSeconds(30));
      assertThat(c.forceCloses).isEqualTo(1);
    }
  }

  @Test
  void requestShorterThanTheGraceIsNeverFailed() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(2).build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_2);
      t.requestStarted();
      t.requestStarted();
      h.advance(Duration.ofSeconds(29));
      t.requestFinished();
      t.requestFinished();
      t.closed();
      h.advance(Duration.ofMinutes(1));
      assertThat(c.forceCloses).isZero();
      assertThat(h.counter(RecyclerMetrics.CONNECTIONS_FORCED)).isZero();
    }
  }

  @Test
  void idleHttp2ConnectionStillOpenAfterTheGraceIsClosedWithoutCountingAFailure() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(2).build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_2);
      serve(t, 2);
      h.advance(Duration.ofSeconds(31));
      assertThat(c.forceCloses).isEqualTo(1);
      assertThat(h.counter(RecyclerMetrics.CONNECTIONS_FORCED)).isZero();
    }
  }

  @Test
  void idleHttp1ConnectionIsNeverClosedOutOfBand() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_1_1);
      h.advance(Duration.ofMinutes(12));
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
      assertThat(t.closeAfterResponse()).isTrue();
      assertThat(c.forceCloses).isZero();
    }
  }

  @Test
  void busyHttp1ConnectionIsClosedHardAfterTheGrace() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_1_1);
      h.advance(Duration.ofMinutes(9));
      t.requestStarted();
      h.advance(Duration.ofMinutes(2));
      assertThat(c.forceCloses).isEqualTo(1);
      assertThat(h.counter(RecyclerMetrics.CONNECTIONS_FORCED, "protocol", "http/1.1"))
          .isEqualTo(1.0);
    }
  }

  @Test
  void requestArrivingOnAnHttp1ConnectionAfterItsGraceIsNotFailed() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_1_1);
      h.advance(Duration.ofMinutes(11));
      t.requestStarted();
      h.advance(Duration.ofMinutes(2));
      assertThat(t.closeAfterResponse()).isTrue();
      assertThat(c.forceCloses).isZero();
    }
  }

  /** Closes every connection that was asked to drain, as a client does on GOAWAY. */
  private static void closeDrained(List<RecordingConnection> cs, List<TrackedConnection> ts) {
    for (int i = 0; i < cs.size(); i++) {
      if (!cs.get(i).drains.isEmpty() && !cs.get(i).closed) {
        cs.get(i).closed = true;
        ts.get(i).closed();
      }
    }
  }

  /** Drains started in each of the {@code seconds} seconds after every connection came of age. */
  private static List<Integer> drainsPerSecondAfterTheAge(EngineHarness h, int connections,
      int seconds) {
    List<RecordingConnection> cs = new ArrayList<>();
    List<TrackedConnection> ts = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      RecordingConnection c = new RecordingConnection();
      cs.add(c);
      ts.add(h.open(c, Protocol.HTTP_2));
    }
    h.advance(MAX_AGE.minusMillis(50));
    List<Integer> perSecond = new ArrayList<>();
    for (int s = 0; s < seconds; s++) {
      long before = drained(cs);
      for (int step = 0; step < 10; step++) {
        h.advance(Duration.ofMillis(100));
        closeDrained(cs, ts);
      }
      perSecond.add((int) (drained(cs) - before));
    }
    return perSecond;
  }

  @Test
  void drainsPerSecondAreCappedAtTheFloorOnASmallServer() {
    try (EngineHarness h = new EngineHarness(config().maxDrainsPerSecond(3)
        .maxDrainingFraction(0.2).build())) {
      // 10 connections: max(3, ceil(0.2 x open)) = 3 per second, even as each drain ends at once.
      assertThat(drainsPerSecondAfterTheAge(h, 10, 5))
          .allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(3))
          .contains(3);
    }
  }

  @Test
  void drainsPerSecondGrowWithTheOpenConnections() {
    try (EngineHarness h = new EngineHarness(config().maxDrainsPerSecond(3)
        .maxDrainingFraction(0.2).build())) {
      // 100 connections: up to ceil(0.2 x open) per second, so that a pod with more connections
      // sheds more of them and the counts across pods even out instead of drifting.
      List<Integer> perSecond = drainsPerSecondAfterTheAge(h, 100, 3);
      assertThat(perSecond.get(0)).isEqualTo(20);
      assertThat(perSecond).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(20));
    }
  }

  @Test
  void requestCapIsAContractTheBudgetDoesNotHoldBack() {
    try (EngineHarness h = new EngineHarness(config().maxDrainsPerSecond(1)
        .maxDrainingFraction(0.01).maxRequestsPerConnection(2).jitter(0).build())) {
      List<RecordingConnection> cs = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        RecordingConnection c = new RecordingConnection();
        cs.add(c);
        serve(h.open(c, Protocol.HTTP_2), 2);
      }
      // A budget of one drain at a time and one a second would have let one of them go.
      assertThat(cs).allSatisfy(
          c -> assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_REQUESTS));
    }
  }

  @Test
  void drainingConnectionsAreCappedAsAFractionOfOpenOnes() {
    try (EngineHarness h = new EngineHarness(config().maxDrainingFraction(0.2).build())) {
      List<RecordingConnection> cs = openMany(h, 10, Protocol.HTTP_2);
      h.advance(Duration.ofMinutes(11));
      assertThat(drained(cs)).isEqualTo(2);
      assertThat(h.recycler.drainingConnections()).isEqualTo(2);
    }
  }

  @Test
  void idleHttp1ConnectionsMarkedForCloseFreeTheirBudgetSlotAfterTheGrace() {
    try (EngineHarness h = new EngineHarness(config().maxDrainingFraction(0.2).build())) {
      List<RecordingConnection> cs = openMany(h, 10, Protocol.HTTP_1_1);
      h.advance(Duration.ofMinutes(10).plusMillis(200));
      assertThat(drained(cs)).isEqualTo(2);
      // Nobody sends another request, so the close never goes out; after the grace the slots
      // are given back and the next connections are marked.
      h.advance(Duration.ofSeconds(31));
      assertThat(drained(cs)).isEqualTo(4);
      h.advance(Duration.ofMinutes(3));
      assertThat(drained(cs)).isEqualTo(10);
      assertThat(cs).allSatisfy(c -> assertThat(c.forceCloses).isZero());
    }
  }

  @Test
  void oneConnectionMayAlwaysDrain() {
    try (EngineHarness h = new EngineHarness(config().maxDrainingFraction(0.01).build())) {
      List<RecordingConnection> cs = openMany(h, 3, Protocol.HTTP_2);
      h.advance(Duration.ofMinutes(11));
      assertThat(drained(cs)).isEqualTo(1);
    }
  }

  @Test
  void deferredDrainHappensWhenTheBudgetFreesUp() {
    try (EngineHarness h = new EngineHarness(config().maxDrainingFraction(0.01).build())) {
      List<RecordingConnection> cs = new ArrayList<>();
      List<TrackedConnection> ts = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        RecordingConnection c = new RecordingConnection();
        cs.add(c);
        ts.add(h.open(c, Protocol.HTTP_2));
      }
      h.advance(Duration.ofMinutes(11));
      assertThat(drained(cs)).isEqualTo(1);
      assertThat(h.counter(RecyclerMetrics.DRAINS_DEFERRED, "reason", "max_age")).isEqualTo(1.0);
      int first = cs.get(0).drains.isEmpty() ? 1 : 0;
      ts.get(first).closed();
      h.advance(Duration.ofMillis(200));
      assertThat(cs.get(1 - first).onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
    }
  }

  @Test
  void shutdownWaitsForTheDelayThenDrainsEverythingOutsideTheBudget() {
    try (EngineHarness h = new EngineHarness(config().maxDrainsPerSecond(1)
        .maxDrainingFraction(0.1).build())) {
      List<RecordingConnection> cs = openMany(h, 5, Protocol.HTTP_2);
      h.recycler.shutdown();
      h.advance(Duration.ofSeconds(4));
      assertThat(drained(cs)).isZero();
      h.advance(Duration.ofSeconds(2));
      assertThat(cs).allSatisfy(c -> assertThat(c.onlyDrain()).isEqualTo(RecycleReason.SHUTDOWN));
    }
  }

  @Test
  void connectionAcceptedAfterTheShutdownDrainIsDrainedAtOnce() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      h.recycler.shutdown();
      h.advance(Duration.ofSeconds(6));
      RecordingConnection late = new RecordingConnection();
      h.open(late, Protocol.HTTP_1_1);
      assertThat(late.onlyDrain()).isEqualTo(RecycleReason.SHUTDOWN);
    }
  }

  @Test
  void shutdownCompletesWhenEveryConnectionHasClosed() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      TrackedConnection a = h.open(new RecordingConnection(), Protocol.HTTP_2);
      TrackedConnection b = h.open(new RecordingConnection(), Protocol.GRPC);
      CompletableFuture<Void> done = h.recycler.shutdown();
      h.advance(Duration.ofSeconds(6));
      a.closed();
      h.advance(Duration.ofSeconds(1));
      assertThat(done).isNotDone();
      b.closed();
      h.advance(Duration.ofMillis(200));
      assertThat(done).isCompleted();
    }
  }

  @Test
  void disabledRecyclerNeverDrainsButStillCounts() {
    try (EngineHarness h = new EngineHarness(config().enabled(false).maxRequestsPerConnection(2)
        .build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_2);
      serve(t, 10);
      h.advance(Duration.ofHours(2));
      assertThat(c.drains).isEmpty();
      assertThat(h.counter(RecyclerMetrics.CONNECTIONS_OPENED)).isEqualTo(1.0);
    }
  }

  @Test
  void closedConnectionIsForgottenAndMeasured() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.GRPC);
      serve(t, 7);
      h.advance(Duration.ofSeconds(3));
      t.closed();
      t.closed();
      assertThat(h.recycler.openConnections()).isZero();
      var summary = h.registry.get(RecyclerMetrics.CONNECTION_REQUESTS).tag("protocol", "grpc")
          .summary();
      assertThat(summary.count()).isEqualTo(1);
      assertThat(summary.totalAmount()).isEqualTo(7.0);
      var lifetime = h.registry.get(RecyclerMetrics.CONNECTION_LIFETIME).tag("protocol", "grpc")
          .timer();
      assertThat(lifetime.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS))
          .isEqualTo(3000.0);
      h.advance(Duration.ofHours(1));
      assertThat(c.drains).isEmpty();
    }
  }

  @Test
  void drainIsCountedByReasonAndProtocol() {
    try (EngineHarness h = new EngineHarness(config().maxRequestsPerConnection(2).build())) {
      serve(h.open(new RecordingConnection(), Protocol.HTTP_1_1), 2);
      assertThat(h.counter(RecyclerMetrics.CONNECTIONS_DRAINED, "reason", "max_requests",
          "protocol", "http/1.1")).isEqualTo(1.0);
      assertThat(h.registry.get(RecyclerMetrics.CONNECTIONS_DRAINING).gauge().value())
          .isEqualTo(1.0);
      assertThat(h.registry.get(RecyclerMetrics.CONNECTIONS_OPEN).gauge().value())
          .isEqualTo(1.0);
    }
  }

  @Test
  void finishingMoreRequestsThanStartedNeverGoesNegative() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      TrackedConnection t = h.open(new RecordingConnection(), Protocol.HTTP_2);
      t.requestFinished();
      t.requestStarted();
      t.requestFinished();
      t.requestFinished();
      assertThat(t.inFlightRequests()).isZero();
    }
  }

  private static List<RecordingConnection> openMany(EngineHarness h, int n, Protocol p) {
    List<RecordingConnection> cs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RecordingConnection c = new RecordingConnection();
      cs.add(c);
      h.open(c, p);
    }
    return cs;
  }

  private static long drained(List<RecordingConnection> cs) {
    return cs.stream().filter(c -> !c.drains.isEmpty()).count();
  }

  @Test
  void requestCounterExistsAtZeroFromStartAndCountsClosedConnectionsToo() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      assertThat(h.registry.find(RecyclerMetrics.REQUESTS).tags("server", "default")
          .functionCounter()).isNotNull();
      assertThat(h.registry.get(RecyclerMetrics.REQUESTS).functionCounter().count()).isZero();
      TrackedConnection a = h.open(new RecordingConnection(), Protocol.HTTP_2);
      TrackedConnection b = h.open(new RecordingConnection(), Protocol.GRPC);
      serve(a, 3);
      serve(b, 4);
      a.closed();
      assertThat(h.registry.get(RecyclerMetrics.REQUESTS).functionCounter().count())
          .isEqualTo(7.0);
    }
  }

  @Test
  void enabledGaugeIsOneWhileTheRecyclerDrains() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      assertThat(h.registry.get(RecyclerMetrics.ENABLED).tag("server", "default").gauge()
          .value()).isEqualTo(1.0);
    }
  }

  @Test
  void enabledGaugeIsZeroWhenRecyclingIsSwitchedOff() {
    try (EngineHarness h = new EngineHarness(config().enabled(false).build())) {
      assertThat(h.registry.get(RecyclerMetrics.ENABLED).tag("server", "default").gauge()
          .value()).isZero();
    }
  }

  @Test
  void periodicTaskRunsOnTheSchedulerUntilCancelled() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      AtomicInteger runs = new AtomicInteger();
      Future<?> task = h.recycler.runPeriodically(() -> {
        runs.incrementAndGet();
        throw new IllegalStateException("a failing run must not stop the next ones");
      }, Duration.ofSeconds(1));
      h.advance(Duration.ofMillis(3500));
      assertThat(runs).hasValue(3);
      task.cancel(false);
      h.advance(Duration.ofSeconds(5));
      assertThat(runs).hasValue(3);
    }
  }

  @Test
  void shutdownWithRecyclingSwitchedOffCompletesAfterTheDelayWithoutDraining() {
    try (EngineHarness h = new EngineHarness(config().enabled(false).build())) {
      RecordingConnection c = new RecordingConnection();
      h.open(c, Protocol.HTTP_2);
      CompletableFuture<Void> done = h.recycler.shutdown();
      h.advance(Duration.ofSeconds(4));
      assertThat(done).isNotDone();
      h.advance(Duration.ofSeconds(2));
      assertThat(done).isCompleted();
      assertThat(c.drains).isEmpty();
      assertThat(c.forceCloses).isZero();
    }
  }

  @Test
  void shutdownClosesAnIdleHttp1ConnectionAfterTheGrace() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_1_1);
      serve(t, 1);
      CompletableFuture<Void> done = h.recycler.shutdown();
      h.advance(Duration.ofSeconds(6)); // the delay: drained, idle
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.SHUTDOWN);
      assertThat(c.forceCloses).isZero();
      h.advance(GRACE.plusSeconds(1));
      assertThat(c.forceCloses).isEqualTo(1);
      assertThat(h.counter(RecyclerMetrics.CONNECTIONS_FORCED)).isZero();
      t.closed();
      h.advance(Duration.ofMillis(200));
      assertThat(done).isCompleted();
    }
  }

  @Test
  void shutdownClosesAnHttp1ConnectionDrainedEarlierThatStayedIdle() {
    try (EngineHarness h = new EngineHarness(config().build())) {
      RecordingConnection c = new RecordingConnection();
      TrackedConnection t = h.open(c, Protocol.HTTP_1_1);
      serve(t, 1);
      h.advance(MAX_AGE.plus(GRACE).plusSeconds(2)); // drained for its age, idle past the grace
      assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
      assertThat(c.forceCloses).isZero();
      CompletableFuture<Void> done = h.recycler.shutdown();
      h.advance(Duration.ofSeconds(6).plus(GRACE).plusSeconds(1));
      assertThat(c.forceCloses).isEqualTo(1);
      t.closed();
      h.advance(Duration.ofMillis(200));
      assertThat(done).isCompleted();
    }
  }

  @Test
  void closeFailsAPendingShutdownInsteadOfLeavingItHanging() {
    EngineHarness h = new EngineHarness(config().build());
    h.open(new RecordingConnection(), Protocol.HTTP_2);
    CompletableFuture<Void> done = h.recycler.shutdown();
    h.close();
    assertThat(done).isCompletedExceptionally();
    assertThatThrownBy(done::join).hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed before its shutdown finished");
  }

  @Test
  void shutdownAfterCloseReturnsAFailedFutureInsteadOfThrowing() {
    EngineHarness h = new EngineHarness(config().build());
    h.close();
    assertThat(h.recycler.shutdown()).isCompletedExceptionally();
  }

  @Test
  void closeRemovesTheRecyclersMeters() {
    EngineHarness h = new EngineHarness(config().build());
    assertThat(h.registry.find(RecyclerMetrics.CONNECTIONS_OPEN).gauge()).isNotNull();
    h.close();
    assertThat(h.registry.getMeters()).isEmpty();
  }

  @Test
  void secondLiveRecyclerWithTheSameNameOnOneRegistryReportsUnderItsOwnName() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    FakeClock clock = new FakeClock();
    ConnectionRecycler.Builder b = ConnectionRecycler.builder(config().build()).ticker(clock)
        .scheduler(clock.scheduler()).meterRegistry(registry).name("http");
    try (ConnectionRecycler first = b.build(); ConnectionRecycler second = b.build()) {
      first.register(new RecordingConnection(), Protocol.HTTP_2);
      assertThat(registry.get(RecyclerMetrics.CONNECTIONS_OPEN).tag("server", "http").gauge()
          .value()).isEqualTo(1.0);
      assertThat(registry.get(RecyclerMetrics.CONNECTIONS_OPEN).tag("server", "http-2").gauge()
          .value()).isZero();
      first.close();
      try (ConnectionRecycler third = b.build()) {
        assertThat(registry.get(RecyclerMetrics.CONNECTIONS_OPEN).tag("server", "http").gauge()
            .value()).isZero();
      }
    }
  }

  @Test
  void latestLoadIsEmptyWithoutAView() {
    FakeClock clock = new FakeClock();
    try (ConnectionRecycler recycler = ConnectionRecycler.builder(config().build()).ticker(clock)
        .scheduler(clock.scheduler()).meterRegistry(new SimpleMeterRegistry()).build()) {
      assertThat(recycler.latestLoad()).isEmpty();
    }
  }

  @Test
  void latestLoadIsTheViewsLatestSnapshot() {
    FakeClock clock = new FakeClock();
    StaticLoadView view = new StaticLoadView(clock);
    try (ConnectionRecycler recycler = ConnectionRecycler.builder(config().build()).ticker(clock)
        .scheduler(clock.scheduler()).meterRegistry(new SimpleMeterRegistry()).loadView(view)
        .build()) {
      assertThat(recycler.latestLoad()).contains(LoadSnapshot.unavailable());
      view.update(2.0, 1.0, 3);
      assertThat(recycler.latestLoad()).contains(view.latest());
    }
  }
}
