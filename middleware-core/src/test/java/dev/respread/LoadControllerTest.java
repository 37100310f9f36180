package dev.respread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.respread.internal.RecyclerMetrics;
import dev.respread.testing.EngineHarness;
import dev.respread.testing.FakeClock;
import dev.respread.testing.RecordingConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The load controller's rules, on a fake clock with a view the test sets. Unless a test sets a
 * snapshot itself, the view refreshes every second as the in-process demo's exact view does:
 * the mean and members of {@link #hold}, and the pod's own load as it really was over the last
 * second, in the unit {@link #hold} set; drained connections close and stop sending.
 */
class LoadControllerTest {
  /** Long enough for a member count to be a stable baseline. */
  private static final int STABLE = 3;
  private Duration window = Duration.ZERO;
  private EngineHarness h;
  private StaticLoadView view;
  /** own, mean, members, reporting members; refreshed into the view every second, or null. */
  private double[] held;
  /** The view's load unit per request a second, fixed by {@link #hold}. */
  private double unit = Double.NaN;
  private long servedLastSecond;
  private final List<RecordingConnection> connections = new ArrayList<>();
  private final List<TrackedConnection> tracked = new ArrayList<>();
  private final List<Integer> rates = new ArrayList<>();
  private final Set<Integer> reopened = new HashSet<>();

  private final FakeClock clock = new FakeClock();

  private void start(RecyclingConfig.Builder config) {
    start(config, 0.0);
  }

  private void start(RecyclingConfig.Builder config, double noiseFloor) {
    StaticLoadView inner = new StaticLoadView(clock, noiseFloor);
    start(config, new LoadView() {
      @Override
      public LoadSnapshot latest() {
        return inner.latest();
      }

      @Override
      public double noiseFloor() {
        return inner.noiseFloor();
      }

      @Override
      public Duration measurementWindow() {
        return window;
      }
    });
    view = inner;
  }

  private void start(RecyclingConfig.Builder config, LoadView loadView) {
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

  /** The view says this from now on, refreshed every second; every member reports a load. */
  private void hold(double own, double mean, int members) {
    hold(own, mean, members, members);
  }

  /**
   * The view says {@code own} now, and from then on what the pod really serves in that unit;
   * {@code mean} and the members stay as given.
   */
  private void hold(double own, double mean, int members, int reporting) {
    held = new double[] {own, mean, members, reporting};
    long rate = servingRate();
    unit = rate > 0 ? own / rate : Double.NaN;
    servedLastSecond = rate;
    refresh();
  }

  /** Requests a second the open, undrained connections send. */
  private long servingRate() {
    long sum = 0;
    for (int i = 0; i < connections.size(); i++) {
      if (connections.get(i).drains.isEmpty()) {
        sum += rates.get(i);
      }
    }
    return sum;
  }

  /** The view stops refreshing: what it says now, it says for ever. */
  private void freeze(LoadSnapshot snapshot) {
    held = null;
    view.set(snapshot);
  }

  private void refresh() {
    long now = clock.nanoTime();
    double own = Double.isNaN(unit) ? held[0] : unit * servedLastSecond;
    view.set(LoadSnapshot.of(own, held[1], (int) held[2], (int) held[3], now, now));
  }

  /** Runs {@code seconds} of traffic, spread evenly over each second in steps of 100 ms. */
  private void run(int seconds) {
    for (int s = 0; s < seconds; s++) {
      servedLastSecond = 0;
      for (int step = 0; step < 10; step++) {
        for (int i = 0; i < tracked.size(); i++) {
          RecordingConnection c = connections.get(i);
          if (!c.drains.isEmpty() && !c.closed) {
            // The client got the GOAWAY and sends its next requests on a new connection.
            c.closed = true;
            tracked.get(i).closed();
          }
          if (c.closed) {
            continue;
          }
          int r = rates.get(i);
          int n = (step + 1) * r / 10 - step * r / 10;
          EngineHarness.serve(tracked.get(i), n);
          servedLastSecond += n;
        }
        h.advance(Duration.ofMillis(100));
      }
      if (held != null) {
        refresh();
      }
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
    hold(150, 100, 3);
    run(3);
    // Excess (150-100)/150 = 1/3; target gain x excess = 1/6. The 40% connection would move the
    // hot spot, so the 30% one goes, which covers the target alone.
    assertThat(drainedIndexes(RecycleReason.LOAD)).containsExactly(1);
  }

  @Test
  void podThatStartedEmptyGetsItsChurnAllowanceWhenItFirstRunsHot() {
    start();
    hold(0, 100, 4);
    run(5);
    // Reconnects land on the new pod and make it the hottest: 60 against a mean of 30.
    connections(10, 10, 10, 10, 10, 10);
    hold(60, 30, 4);
    run(5);
    // It sheds towards 30 in plans a second or two apart, more than one connection in all. With
    // the allowance counted while the pod was empty (one drain, then one per connection per
    // 10 minutes), it could drain only one.
    assertThat(drainedIndexes(RecycleReason.LOAD).size()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void membersGrowingGiveTheChurnAllowanceAgain() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    // The view says twice the mean whatever the pod sheds, and every drained client lands back
    // here: the load rule spends its allowance and then waits for its slow refill.
    int members = 3;
    int plateau = -1;
    for (int second = 0; second < 60; second++) {
      if (second == 30) {
        plateau = drainedIndexes(RecycleReason.LOAD).size();
        members = 4;
      }
      long now = clock.nanoTime();
      freeze(LoadSnapshot.of(200, 100, members, members, now, now));
      int before = connections.size();
      run(1);
      for (int i = 0; i < before; i++) {
        if (connections.get(i).drains.size() == 1 && connections.get(i).closed
            && !reopened.contains(i)) {
          reopened.add(i);
          connections(rates.get(i));
        }
      }
    }
    assertThat(plateau).isGreaterThan(0);
    // The growth gives twice the ten open connections: an old pod's clients land back on it as
    // often as on the new members.
    assertThat(drainedIndexes(RecycleReason.LOAD).size() - plateau).isGreaterThanOrEqualTo(20);
  }

  @Test
  void drainAllowanceGaugeIsUnknownUntilThePodFirstRunsHot() {
    start();
    connections(10, 10, 10, 10);
    hold(100, 100, 2);
    run(3);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_DRAIN_ALLOWANCE).gauge().value()).isNaN();
  }

  @Test
  void drainAllowanceGaugeCountsTheLoadDrainsLeft() {
    start();
    connections(10, 10, 10, 10);
    hold(200, 100, 2);
    run(3);
    // One drain per open connection, less those the load rule started.
    assertThat(drainedIndexes(RecycleReason.LOAD)).isNotEmpty();
    assertThat(h.registry.get(RecyclerMetrics.LOAD_DRAIN_ALLOWANCE).gauge().value())
        .isEqualTo(4.0 - drainedIndexes(RecycleReason.LOAD).size());
  }

  @Test
  void connectionCarryingMoreThanTheExcessIsNeverMoved() {
    start();
    connections(100);
    hold(200, 100, 4);
    run(20);
    assertThat(connections.get(0).drains).isEmpty();
  }

  @Test
  void podWithinTheThresholdShedsNothing() {
    start();
    connections(10, 10, 10, 10);
    hold(115, 100, 3);
    run(10);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void differenceBelowTheAbsoluteFloorShedsNothing() {
    start(RecyclingConfig.builder().loadMinDifference(0.2));
    connections(10, 10, 10, 10);
    hold(0.3, 0.15, 2);
    run(10);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void viewNoiseFloorAppliesWhenNoMinimumIsConfigured() {
    start(RecyclingConfig.builder(), 0.2);
    connections(10, 10, 10, 10);
    hold(0.3, 0.15, 2);
    run(10);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void podShedsDownToItsFairShareOnLocalEvidenceWithoutWaitingForTheView() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    // 1.9 times the fair share, for the whole run: the view's window covers none of the drains.
    hold(190, 100, 3);
    run(15);
    // Each plan's effect shows in the local request rate a second later, and the pod plans
    // again until its corrected load is within the threshold: three connections (excess 0.47,
    // target 0.24), then one more (133 -> 114).
    assertThat(drainedIndexes(RecycleReason.LOAD)).hasSize(4);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_RATIO).gauge().value())
        .isBetween(1.0, 1.2);
  }

  @Test
  void viewThatHasCaughtUpWithTheDrainsReplacesTheLocalCorrection() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    hold(190, 100, 3);
    run(15);
    int shed = drainedIndexes(RecycleReason.LOAD).size();
    freeze(LoadSnapshot.unavailable());
    run(STABLE);
    // A window after the drains the view shows what the pod carries now: a little hot, within
    // the threshold. The local correction no longer applies, so the pod takes it as it is.
    hold(115, 100, 3);
    run(10);
    assertThat(drainedIndexes(RecycleReason.LOAD)).hasSize(shed);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_RATIO).gauge().value()).isEqualTo(1.15);
  }

  @Test
  void viewMeasuringOverOneIntervalIsTakenAsItIs() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    run(STABLE);
    hold(115, 100, 3);
    freeze(LoadSnapshot.of(115, 100, 3, 3, clock.nanoTime(), clock.nanoTime()));
    // The local rate doubles in the second after the view's value. A view that measures over one
    // interval is as fresh as the local rate: its value is not scaled by two short local counts,
    // whose noise made pods at 1.15 read 1.25 in the demo.
    rates.replaceAll(r -> 2 * r);
    run(1);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_RATIO).gauge().value())
        .isCloseTo(1.15, within(1e-9));
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void exactViewValueMeasuredBeforeTheLastPlansDrainsStartsNoNewPlan() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    hold(200, 100, 3);
    while (drainedIndexes(RecycleReason.LOAD).isEmpty()) {
      run(1);
    }
    int firstPlan = drainedIndexes(RecycleReason.LOAD).size();
    // Still twice the mean, but measured before the drains started (they started within the last
    // second): it shows all the load they moved away, so nothing more is shed on it.
    long coveringTheDrains = clock.nanoTime() - Duration.ofSeconds(1).toNanos();
    freeze(LoadSnapshot.of(200, 100, 3, 3, coveringTheDrains, coveringTheDrains));
    run(5);
    assertThat(drainedIndexes(RecycleReason.LOAD)).hasSize(firstPlan);
    // A value measured wholly after them is acted on.
    freeze(LoadSnapshot.of(200, 100, 3, 3, clock.nanoTime(), clock.nanoTime()));
    run(2);
    assertThat(drainedIndexes(RecycleReason.LOAD).size()).isGreaterThan(firstPlan);
  }

  @Test
  void planDeferredByTheBudgetCompletesAsSlotsFree() {
    start(RecyclingConfig.builder());
    h.close();
    h = new EngineHarness(clock, RecyclingConfig.builder().maxDrainsPerSecond(1000)
        .maxDrainingFraction(0.1).maxConnectionAge(Duration.ofMinutes(10)).jitter(0).build(),
        new LoadView() {
          @Override
          public LoadSnapshot latest() {
            return view.latest();
          }

          @Override
          public Duration measurementWindow() {
            return window;
          }
        }, () -> 0.5);
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    hold(200, 100, 3);
    run(2);
    // Target 0.25 of the load: three connections, one draining at a time (10 % of 10). The
    // budget held the second and the third back, and each went once the one before it closed.
    assertThat(h.counter(RecyclerMetrics.DRAINS_DEFERRED, "reason", "load")).isEqualTo(2.0);
    assertThat(drainedIndexes(RecycleReason.LOAD)).hasSize(3);
  }

  @Test
  void coldPodSuspendsAgeRecyclingUpToTheColdCap() {
    start(RecyclingConfig.builder().coldMaxConnectionAge(Duration.ofMinutes(30)));
    connections(5);
    for (int minute = 0; minute < 29; minute++) {
      hold(50, 100, 3);
      run(60);
    }
    assertThat(connections.get(0).drains).isEmpty();
    for (int minute = 0; minute < 2; minute++) {
      hold(50, 100, 3);
      run(60);
    }
    assertThat(connections.get(0).onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
  }

  @Test
  void podAtTheMeanKeepsItsAgeRule() {
    start();
    connections(5);
    for (int minute = 0; minute < 11; minute++) {
      hold(100, 100, 3);
      run(60);
    }
    assertThat(connections.get(0).onlyDrain()).isEqualTo(RecycleReason.MAX_AGE);
  }

  @Test
  void staleSnapshotFallsBackToAgeAndRequestRules() {
    start(RecyclingConfig.builder().loadMaxStaleness(Duration.ofSeconds(30)));
    connections(10, 10, 10, 10);
    freeze(LoadSnapshot.of(50, 100, 3, clock.nanoTime()));
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
    freeze(LoadSnapshot.of(300, 100, 3, h.clock.nanoTime() - Duration.ofSeconds(10).toNanos()));
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
    freeze(garbage.hasLoad() ? LoadSnapshot.of(garbage.ownLoad(), garbage.meanLoad(),
        garbage.readyMembers(), now) : garbage);
    run(30);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
    assertThat(h.registry.get(RecyclerMetrics.LOAD_VIEW_USABLE).gauge().value()).isZero();
  }

  @Test
  void singlePodShedsNothing() {
    start();
    connections(10, 10, 10, 10);
    hold(1000, 100, 1);
    run(30);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void scaleOutShedsTheNewMembersShareAtOnce() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10);
    hold(100, 100, 2);
    run(STABLE);
    // Two new members, with no load values yet: the mean still covers the two old ones.
    hold(100, 100, 4, 2);
    run(2);
    // 2 -> 4 members: a pod at its fair share hands over 1 - 2/4 of its requests.
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(4);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void membersArrivingOneReadApartHandOverWhatTheWholeScaleOutCallsFor() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10);
    hold(100, 100, 2);
    run(STABLE);
    // A view on scrape targets shows the third member a scrape before the fourth.
    hold(100, 100, 3, 2);
    run(1);
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(2);
    hold(held[0], 100, 4, 2);
    run(2);
    // 2 -> 4 in all: half of the eight connections, as if the view had shown both at once. The
    // pod's own load after the first drains already shows them, so they are not taken off twice.
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(4);
  }

  /**
   * A pod behind a view with a 10 s window: past its first window and with two stable members,
   * the Service scales to four and the pod hands over half of its 16 connections.
   */
  private void scaleOutBehindAWindowedView() {
    window = Duration.ofSeconds(10);
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    hold(100, 100, 2);
    run(12);
    hold(100, 100, 4, 2);
    run(3);
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(8);
    // The new members report a load a window and a quarter later.
    run(10);
  }

  @Test
  void podAlittleAboveTheThresholdShedsWhileTheServiceSettlesAfterAScaleOut() {
    scaleOutBehindAWindowedView();
    // The draw left this pod at 1.15 times its new share: below the threshold of 0.2, above half
    // of it.
    hold(57.5, 50, 4);
    run(3);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isNotEmpty();
  }

  @Test
  void podAlittleAboveTheThresholdShedsNothingOnceTheServiceHasSettled() {
    scaleOutBehindAWindowedView();
    // Twice the view's window after the growth.
    hold(50, 50, 4);
    run(10);
    hold(57.5, 50, 4);
    run(3);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void podThatJoinsAServiceSettlesWithTheTighterThreshold() {
    window = Duration.ofSeconds(10);
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10);
    hold(115, 100, 4);
    // No load decision in the pod's first window; then 1.15 is above half the threshold.
    run(14);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isNotEmpty();
  }

  @Test
  void exactViewKeepsTheWholeThresholdAfterAScaleOut() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    hold(100, 100, 2);
    run(STABLE);
    hold(100, 100, 4, 2);
    run(3);
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(8);
    hold(57.5, 50, 4);
    run(3);
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
  }

  @Test
  void scaleOutWithMembershipOnlyShedsOneMinusNOverM() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    for (int s = 0; s < STABLE; s++) {
      freeze(LoadSnapshot.membersOnly(5, h.clock.nanoTime()));
      run(1);
    }
    freeze(LoadSnapshot.membersOnly(10, h.clock.nanoTime()));
    run(2);
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(5);
  }

  @Test
  void coldPodStillHandsNewMembersWhatItHasAboveTheNewMean() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10, 10, 10);
    hold(80, 100, 2);
    run(STABLE);
    hold(80, 100, 4, 2);
    run(2);
    // New fair share 100 x 2/4 = 50; the pod carries 80, so it sheds up to 30/80 of its requests:
    // three connections of 10% each, since a fourth would shed more than the excess.
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).hasSize(3);
  }

  @Test
  void membersAppearingOneReadApartAtStartUpAreNoScaleOut() {
    window = Duration.ofSeconds(10);
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10);
    // The second pod's series arrives one scrape after the first's, without a rate yet.
    hold(100, 100, 1);
    run(2);
    hold(100, 100, 2, 1);
    run(30);
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).isEmpty();
  }

  @Test
  void globalRiseInTrafficDoesNotMakeThePodHot() {
    start();
    connections(10, 10, 10, 10, 10, 10, 10, 10);
    hold(80, 80, 4);
    run(STABLE);
    // Every client doubles its rate over a minute; the view's own value and mean lag behind
    // together, while the local rate is up at once.
    for (int s = 0; s < 60; s++) {
      for (int i = 0; i < rates.size(); i++) {
        rates.set(i, 10 + (10 * s) / 60);
      }
      double lagging = 80 + (80.0 * Math.max(0, s - 30)) / 60;
      hold(lagging, lagging, 4);
      run(1);
    }
    assertThat(drainedIndexes(RecycleReason.LOAD)).isEmpty();
    assertThat(drainedIndexes(RecycleReason.SCALE_OUT)).isEmpty();
  }

  @Test
  void scaleInShedsNothing() {
    start();
    connections(10, 10, 10, 10);
    hold(100, 100, 4);
    run(3);
    hold(100, 100, 2);
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
      hold(100, 100, 3);
      run(5);
      freeze(LoadSnapshot.of(Double.NaN, 1, 3, clock.nanoTime()));
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
      hold(100, 100, 3);
      run(5);
      freeze(LoadSnapshot.of(-1, 1, 3, clock.nanoTime()));
      run(5);
      hold(100, 100, 3);
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
        hold(100, 100, 3);
        run(2);
        freeze(LoadSnapshot.unavailable());
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
      hold(100, 100, 3);
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
    hold(150, 100, 3);
    run(2);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_RATIO).gauge().value()).isEqualTo(1.5);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_MEMBERS).gauge().value()).isEqualTo(3.0);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_VIEW_USABLE).gauge().value()).isEqualTo(1.0);
    assertThat(h.registry.get(RecyclerMetrics.LOAD_VIEW_STALENESS).gauge().value())
        .isBetween(1.0, 2.0);
  }
}
