package dev.respread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.testing.EngineHarness;
import dev.respread.testing.RecordingConnection;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A connection that closes on its event loop at the moment another thread starts to drain it
 * (here the request that reaches the cap) must never keep a slot of the concurrent drain budget.
 * A lost slot is lost for good: on a server with four or fewer connections it refuses every
 * later drain but shutdown's.
 */
class DrainSlotRaceTest {
  private static final int ROUNDS = 100_000;

  @Test
  void closeRacingTheStartOfADrainReturnsTheBudgetSlot() throws Exception {
    RecyclingConfig config = RecyclingConfig.builder()
        .maxRequestsPerConnection(2)
        .jitter(0)
        .maxDrainsPerSecond(100_000)
        .maxDrainingFraction(1.0)
        .build();
    try (EngineHarness h = new EngineHarness(config)) {
      // Both threads spin on one volatile round number instead of parking at a barrier: a
      // parked thread wakes microseconds late, far wider than the race, which lasts nanoseconds.
      AtomicLong round = new AtomicLong();
      AtomicReference<TrackedConnection> current = new AtomicReference<>();
      AtomicLong closedRounds = new AtomicLong();
      Thread closer = new Thread(() -> {
        SplittableRandom random = new SplittableRandom(7);
        for (long r = 1; r <= ROUNDS; r++) {
          while (round.get() != r) {
            Thread.onSpinWait();
          }
          // A short delay that varies, so that the close lands at every point of the drain.
          for (int spin = random.nextInt(24); spin > 0; spin--) {
            Thread.onSpinWait();
          }
          current.get().closed();
          closedRounds.set(r);
        }
      }, "closer");
      closer.setDaemon(true);
      closer.start();
      for (long r = 1; r <= ROUNDS; r++) {
        TrackedConnection t = h.open(new RecordingConnection(), Protocol.HTTP_2);
        t.requestStarted();
        current.set(t);
        round.set(r);
        t.requestStarted(); // reaches the cap of 2 and starts a drain
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (closedRounds.get() != r && System.nanoTime() - deadline < 0) {
          Thread.onSpinWait();
        }
      }
      closer.join(10_000);

      assertThat(h.recycler.openConnections()).isZero();
      assertThat(h.recycler.drainingConnections()).isZero();
    }
  }

  @Test
  void aConnectionWhoseSlotWasReturnedAfterTheGraceDoesNotReturnItAgainWhenItCloses() {
    RecyclingConfig config = RecyclingConfig.builder()
        .maxRequestsPerConnection(2)
        .jitter(0)
        .maxConnectionAgeGrace(Duration.ofSeconds(1))
        .build();
    try (EngineHarness h = new EngineHarness(config)) {
      TrackedConnection idle = h.open(new RecordingConnection(), Protocol.HTTP_1_1);
      EngineHarness.serve(idle, 2); // drained for its request cap, then idle
      assertThat(h.recycler.drainingConnections()).isEqualTo(1);
      h.advance(Duration.ofSeconds(2)); // idle after the grace: its slot goes back
      assertThat(h.recycler.drainingConnections()).isZero();
      assertThat(idle.draining()).isTrue();
      idle.closed();
      assertThat(h.recycler.drainingConnections()).isZero();
    }
  }
}
