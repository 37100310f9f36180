package dev.respread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.internal.RecyclerMetrics;
import dev.respread.testing.EngineHarness;
import dev.respread.testing.FakeClock;
import dev.respread.testing.RecordingConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The load controller's rules, on a fake clock with a view the test sets. */
class LoadControllerTest {
  private EngineHarness h;
  private StaticLoadView view;
  private final List<RecordingConnection> connections = new ArrayList<>();
  private final List<TrackedConnection> tracked = new ArrayList<>();
  private final List<Integer> rates = new ArrayList<>();

  private final FakeClock clock = new FakeClock();

  private void start(RecyclingConfig.Builder config) {
    start(config, new StaticLoadView(clock));
  }

  private void start(RecyclingConfig.Builder config, LoadView loadView) {
    if (loadView instanceof StaticLoadView) {
      view = (StaticLoadView) loadView;
    }
    h = new EngineHarness(clock, config.maxDrainsPerSecond(1000).maxDrainingFraction(1.0)
        .maxConnectionAge(Duration.ofMinutes(10)).jitter(0).build(), loadView, () -> 0.5);
  }

  private void start() {
    start(RecyclingConfig.builder());
  }

  @AfterEach
  void close() {
    h.close();
  }

  /** Opens connections serving the given requests per second. */
  private void connections(int... perSecond) {
    for (int r : perSecond) {
      RecordingConnection c = new RecordingConnection();
      connections.add(c);
      tracked.add(h.open(c, Protocol.HTTP_2));
      rates.add(r);
    }
  }

  /** Runs {@code seconds} of traffic, one second at a time. */
  private void run(int seconds) {
    for (int s = 0; s < seconds; s++) {
      for (int i = 0; i < tracked.size(); i++) {
        EngineHarness.serve(tracked.get(i), rates.get(i));
      }
      h.advance(Duration.ofSeconds(1));
    }
  }

  private List<Integer> drainedIndexes(RecycleReason reason) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < connections.size(); i++) {
      if (connections.get(i).drains.contains(reason)) {
        out.add(i);
      }
    }
    return out;
  }

  @Test
  void hotPodShedsTheBusiestConnectionThatCarriesNoMoreThanTheExcess() {
    start();
    connections(40, 30, 20, 10);
    view.update(150, 100, 3);
    run(3);
    // Excess (150-100)/150 = 1/3; target gain x excess = 1/6. The 40% connection would move the
    // hot spot, so the 30% one goes, which covers the target alone.
    assertThat(drainedIndexes(RecycleReason.LOAD)).containsExactly(1);
  }

  @Test
  void podThatStartedEmptyGetsItsChurnAllowanceWhenItFirstRunsHot() {
    start();
    view.update(0, 100, 4);
    run(5);
    // Reconnects land on the new pod and make it the hottest: 60 against a mean of 30.
    connections(10, 10, 10, 10, 10, 10);
    view.update(60, 30, 4);
    run(2);
    // Target gain x excess = 0.25 of 60 = 15 requests/s: two 10 rps connections. With the
    // allowance counted while the pod was empty, it could drain only one.
    assertThat(drainedIndexes(RecycleReason.LOAD)).hasSize(2);
  }

  @Test
  void connectionCarryingMoreThanTheExcessIsNeverMoved() {
    start();
    connections(100);
    view.update(200, 100, 4);
    run(20);
    assertThat(connections.get(0).drains).isEmpty();
  }

  @Test
  void podWithinTheThresholdShedsNothing() {
    start();
    connections(10, 10, 10, 10);
    view.update(115, 100, 3);
    run(10);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void differenceBelowTheAbsoluteFloorShedsNothing() {
    start(RecyclingConfig.builder().loadMinDifference(0.2));
    connections(10, 10, 10, 10);
    view.update(0.3, 0.15, 2);
    run(10);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void viewNoiseFloorAppliesWhenNoMinimumIsConfigured() {
    start(RecyclingConfig.builder(), new StaticLoadView(clock, 0.2));
    connections(10, 10, 10, 10);
    view.update(0.3, 0.15, 2);
    run(10);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void controllerHoldsOffUntilASnapshotNewerThanItsDrains() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    view.update(200, 100, 3);
    run(2);
    int afterFirst = drainedIndexes(RecycleReason.LOAD).size();
    assertThat(afterFirst).isPositive();
    run(10);
    assertThat(drainedIndexes(RecycleReason.LOAD)).hasSize(afterFirst);
    view.update(200, 100, 3);
    run(2);
    assertThat(drainedIndexes(RecycleReason.LOAD).size()).isGreaterThan(afterFirst);
  }

  @Test
  void controllerWaitsAMeasurementWindowAfterItsDrains() {
    StaticLoadView inner = new StaticLoadView(clock);
    LoadView windowed = new LoadView() {
      @Override
      public LoadSnapshot latest() {
        return inner.latest();
      }

      @Override
      public Duration measurementWindow() {
        return Duration.ofSeconds(30);
      }
    };
    start(RecyclingConfig.builder(), windowed);
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    inner.update(200, 100, 3);
    run(2);
    int afterFirst = drainedIndexes(RecycleReason.LOAD).size();
    run(10);
    inner.update(200, 100, 3);
    run(2);
    assertThat(drainedIndexes(RecycleReason.LOAD)).hasSize(afterFirst);
    run(20);
    inner.update(200, 100, 3);
    run(2);
    assertThat(drainedIndexes(RecycleReason.LOAD).size()).isGreaterThan(afterFirst);
  }

  @Test
  void coldPodSuspendsAgeRecyclingUpToTheColdCap() {
    start(RecyclingConfig.builder().coldMaxConnectionAge(Duration.ofMinutes(30)));
    connections(5);
    for (int minute = 0; minute < 29; minute++) {
      view.update(50, 100, 3);
      run(60);
    }
    assertThat(connections.get(0).drains).isEmpty();
    for (int minute = 0; minute < 2; minute++) {
      view.update(50, 100, 3);
      run(60);
    }
    assertThat(connections.get(0).onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
  }

  @Test
  void podAtTheMeanKeepsItsAgeRule() {
    start();
    connections(5);
    for (int minute = 0; minute < 11; minute++) {
      view.update(100, 100, 3);
      run(60);
    }
    assertThat(connections.get(0).onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
  }

  @Test
  void staleSnapshotFallsBackToAgeAndRequestRules() {
    start(RecyclingConfig.builder().loadMaxStaleness(Duration.ofSeconds(30)));
    connections(10, 10, 10, 10);
    view.update(50, 100, 3);
    run(40);
    // Once stale, the cold suspension ends and the hot/cold judgement stops.
    run(60 * 10);
    assertThat(connections).allSatisfy(
        c -> assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_AGE));
    assertThat(h.registry.get(RecyclerMetrics.LOAD_VIEW_USABLE).gauge().value()).isZero();
  }

  @Test
  void staleHotSnapshotShedsNothing() {
    start(RecyclingConfig.builder().loadMaxStaleness(Duration.ofSeconds(5)));
    connections(10, 10, 10, 10);
    view.set(LoadSnapshot.of(300, 100, 3, h.clock.nanoTime() - Duration.ofSeconds(10).toNanos()));
    run(30);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void nanLoadShedsNothing() {
    assertGarbageIgnored(LoadSnapshot.of(Double.NaN, 100, 3, 0));
    assertGarbageIgnored(LoadSnapshot.of(300, Double.NaN, 3, 0));
  }

  @Test
  void infiniteLoadShedsNothing() {
    assertGarbageIgnored(LoadSnapshot.of(Double.POSITIVE_INFINITY, 100, 3, 0));
  }

  @Test
  void negativeLoadShedsNothing() {
    assertGarbageIgnored(LoadSnapshot.of(300, -100, 3, 0));
  }

  @Test
  void ownLoadAboveTheWholeServiceShedsNothing() {
    assertGarbageIgnored(LoadSnapshot.of(500, 100, 3, 0));
  }

  @Test
  void unavailableViewShedsNothing() {
    assertGarbageIgnored(LoadSnapshot.unavailable());
  }

  @Test
  void viewThatThrowsShedsNothingAndAgeStillApplies() {
    start(RecyclingConfig.builder(), () -> {
      throw new IllegalStateException("view broke");
    });
    connections(10, 10);
    run(60 * 11);
    assertThat(connections).allSatisfy(
        c -> assertThat(c.onlyDrain()).isEqualTo(RecycleReason.MAX_AGE));
  }

  private void assertGarbageIgnored(LoadSnapshot garbage) {
    if (h != null) {
      h.close();
    }
    view = null;
    connections.clear();
    tracked.clear();
    rates.clear();
    start();
    connections(10, 10, 10, 10);
    long now = h.clock.nanoTime();
    view.set(garbage.hasLoad() ? LoadSnapshot.of(garbage.ownLoad(), garbage.meanLoad(),
        garbage.readyMembers(), now) : garbage);
    run(30);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
    assertThat(h.registry.get(RecyclerMetrics.LOAD_VIEW_USABLE).gauge().value()).isZero();
  }

  @Test
  void singlePodShedsNothing() {
    start();
    connections(10, 10, 10, 10);
    view.update(1000, 100, 1);
    run(30);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void scaleOutShedsTheNewMembersShareAtOnce() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10);
    view.update(100, 100, 2);
    run(3);
    view.update(100, 100, 4);
    run(2);
    // 2 -> 4 members: a pod at its fair share hands over 1 - 2/4 of its requests.
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(4);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void scaleOutWithMembershipOnlyShedsOneMinusNOverM() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    view.set(LoadSnapshot.membersOnly(5, h.clock.nanoTime()));
    run(3);
    view.set(LoadSnapshot.membersOnly(10, h.clock.nanoTime()));
    run(2);
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(5);
  }

  @Test
  void coldPodStillHandsNewMembersWhatItHasAboveTheNewMean() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    view.update(80, 100, 2);
    run(3);
    view.update(80, 100, 4);
    run(2);
    // New mean 100 x 2/4 = 50; the pod carries 80, so it sheds up to 30/80 of its requests:
    // three connections of 10% each, since a fourth would shed more than the excess.
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(3);
  }

  @Test
  void scaleInShedsNothing() {
    start();
    connections(10, 10, 10, 10);
    view.update(100, 100, 4);
    run(3);
    view.update(100, 100, 2);
    run(5);
    assertThat(connections).allSatisfy(c -> assertThat(c.drains).isEmpty());
  }

  private List<LogRecord> captureLogs(Runnable body) {
    Logger jul = Logger.getLogger("dev.respread.internal.LoadController");
    List<LogRecord> records = new ArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        records.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    jul.addHandler(handler);
    try {
      body.run();
    } finally {
      jul.removeHandler(handler);
    }
    return records;
  }

  @Test
  void unusableViewIsLoggedOnceNotEveryTick() {
    List<LogRecord> records = captureLogs(() -> {
      start();
      connections(10);
      view.update(100, 100, 3);
      run(5);
      view.set(LoadSnapshot.of(Double.NaN, 1, 3, clock.nanoTime()));
      run(60);
    });
    assertThat(records).extracting(LogRecord::getLevel)
        .containsExactly(java.util.logging.Level.WARNING);
    assertThat(records.get(0).getParameters()).containsExactly(
        "load is not a finite number (own=NaN, mean=1.0)");
  }

  @Test
  void recoveryIsLoggedOnce() {
    List<LogRecord> records = captureLogs(() -> {
      start();
      connections(10);
      view.update(100, 100, 3);
      run(5);
      view.set(LoadSnapshot.of(-1, 1, 3, clock.nanoTime()));
      run(5);
      view.update(100, 100, 3);
      run(30);
    });
    assertThat(records).extracting(LogRecord::getLevel).containsExactly(
        java.util.logging.Level.WARNING, java.util.logging.Level.INFO);
  }

  @Test
  void flappingViewIsLoggedAtMostOnceInFiveMinutes() {
    List<LogRecord> records = captureLogs(() -> {
      start();
      connections(10);
      for (int i = 0; i < 60; i++) {
        view.update(100, 100, 3);
        run(2);
        view.set(LoadSnapshot.unavailable());
        run(2);
      }
    });
    assertThat(records).extracting(LogRecord::getLevel).containsExactly(
        java.util.logging.Level.WARNING, java.util.logging.Level.INFO);
  }

  @Test
  void viewStillStartingUpIsNotReportedBeforeTheStalenessLimit() {
    List<LogRecord> records = captureLogs(() -> {
      start(RecyclingConfig.builder().loadMaxStaleness(Duration.ofSeconds(30)));
      connections(10);
      run(20);
      view.update(100, 100, 3);
      run(5);
    });
    assertThat(records).isEmpty();
  }

  @Test
  void viewThatNeverStartsIsReportedAfterTheStalenessLimit() {
    List<LogRecord> records = captureLogs(() -> {
      start(RecyclingConfig.builder().loadMaxStaleness(Duration.ofSeconds(30)));
      connections(10);
      run(40);
    });
    assertThat(records).extracting(LogRecord::getLevel)
        .containsExactly(java.util.logging.Level.WARNING);
  }

  @Test
  void gaugesShowWhatTheControllerLastRead() {
    start();
    connections(10);
    view.update(150, 100, 3);
    run(2);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_RATIO).gauge().value()).isEqualTo(1.5);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_MEMBERS).gauge().value()).isEqualTo(3.0);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_VIEW_USABLE).gauge().value()).isEqualTo(1.0);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_VIEW_STALENESS).gauge().value())
        .isBetween(1.0, 2.0);
  }
}
