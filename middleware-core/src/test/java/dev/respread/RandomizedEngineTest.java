package dev.respread;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.testing.EngineHarness;
import dev.respread.testing.FakeClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Feeds the engine thousands of random opens, requests, closes, snapshots (garbage included) and
 * clock moves, and checks the invariants after every drain. Seeded, so a failure repeats.
 */
class RandomizedEngineTest {
  private static final int DRAINS_PER_SECOND = 3;
  private static final double DRAINING_FRACTION = 0.3;
  private static final Duration GRACE = Duration.ofSeconds(5);

  private final List<String> violations = new ArrayList<>();
  private final Map<Long, Integer> drainsPerWindow = new HashMap<>();
  private final List<Conn> live = new ArrayList<>();
  private EngineHarness h;
  private int drains;

  private final class Conn implements DrainableConnection {
    final Protocol protocol;
    TrackedConnection tracked;
    boolean closed;
    boolean drained;
    boolean forced;
    long drainedAt;

    Conn(Protocol protocol) {
      this.protocol = protocol;
    }

    /**
     * Whether this connection still occupies a slot of the concurrent budget. An HTTP/1.1
     * connection that was idle when its grace ran out gives its slot back: it only waits for a
     * request whose response can carry the close. Counted leniently: once its grace has passed
     * and it was not closed hard, it no longer counts.
     */
    boolean holdsSlot(long now) {
      if (!drained || closed) {
        return false;
      }
      return protocol != Protocol.HTTP_1_1 || forced || now - drainedAt < GRACE.toNanos();
    }

    @Override
    public void drain(RecycleReason reason, Duration grace) {
      drains++;
      if (closed) {
        violations.add("drain of a closed connection");
      }
      if (drained) {
        violations.add("second drain of one connection");
      }
      drained = true;
      drainedAt = h.clock.nanoTime();
      // Shutdown and the request cap are outside the budget; every other drain is within it.
      if (reason != RecycleReason.SHUTDOWN && reason != RecycleReason.MAX_REQUESTS) {
        int open = h.recycler.openConnections();
        long window = Math.floorDiv(h.clock.nanoTime(), 1_000_000_000L);
        int n = drainsPerWindow.merge(window, 1, Integer::sum);
        long perSecond = Math.max(DRAINS_PER_SECOND, (long) Math.ceil(DRAINING_FRACTION * open));
        if (n > perSecond) {
          violations.add(n + " drains in one second with " + open + " open");
        }
        long now = h.clock.nanoTime();
        long draining = live.stream().filter(c -> c.holdsSlot(now)).count();
        if (draining > Math.max(1, (int) (DRAINING_FRACTION * open))) {
          violations.add(draining + " draining of " + open + " open");
        }
      }
    }

    @Override
    public void forceClose() {
      if (forced) {
        violations.add("second force close");
      }
      if (closed) {
        violations.add("force close of a closed connection");
      }
      forced = true;
    }

    void close() {
      closed = true;
      tracked.closed();
      live.remove(this);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 7, 42, 1234, 98765})
  void randomTrafficNeverBreaksTheInvariants(long seed) {
    Random random = new Random(seed);
    FakeClock clock = new FakeClock();
    StaticLoadView view = new StaticLoadView(clock);
    h = new EngineHarness(clock, RecyclingConfig.builder()
        .maxConnectionAge(Duration.ofSeconds(30))
        .maxConnectionAgeGrace(GRACE)
        .maxRequestsPerConnection(40)
        .maxDrainsPerSecond(DRAINS_PER_SECOND)
        .maxDrainingFraction(DRAINING_FRACTION)
        .shutdownDelay(Duration.ofSeconds(2))
        .build(), view, random::nextDouble);
    Protocol[] protocols = Protocol.values();
    for (int step = 0; step < 20_000; step++) {
      int op = random.nextInt(100);
      if (op < 10 || live.isEmpty()) {
        Conn c = new Conn(protocols[random.nextInt(protocols.length)]);
        live.add(c);
        c.tracked = h.recycler.register(c, c.protocol);
      } else if (op < 55) {
        pick(random).tracked.requestStarted();
      } else if (op < 80) {
        pick(random).tracked.requestFinished();
      } else if (op < 86) {
        pick(random).close();
      } else if (op < 90) {
        // An adapter closes a drained or forced connection a little later.
        for (Conn c : new ArrayList<>(live)) {
          if ((c.drained || c.forced) && random.nextBoolean()) {
            c.close();
          }
        }
      } else if (op < 94) {
        snapshot(random, view);
      } else {
        h.advance(Duration.ofMillis(random.nextInt(2000)));
      }
      if (step == 18_000) {
        h.recycler.shutdown();
      }
    }
    h.advance(Duration.ofSeconds(10));
    for (Conn c : new ArrayList<>(live)) {
      c.close();
    }
    int openAtEnd = h.recycler.openConnections();
    int drainingAtEnd = h.recycler.drainingConnections();
    h.close();
    assertThat(violations).isEmpty();
    // Every slot of the concurrent budget comes back once every connection has closed.
    assertThat(openAtEnd).isZero();
    assertThat(drainingAtEnd).isZero();
    assertThat(drains).isGreaterThan(100);
  }

  private Conn pick(Random random) {
    return live.get(random.nextInt(live.size()));
  }

  private static void snapshot(Random random, StaticLoadView view) {
    switch (random.nextInt(6)) {
      case 0:
        view.set(LoadSnapshot.unavailable());
        break;
      case 1:
        view.update(Double.NaN, 1.0, 3);
        break;
      case 2:
        view.update(-1.0, 2.0, 1 + random.nextInt(5));
        break;
      default:
        int members = 1 + random.nextInt(8);
        double mean = random.nextDouble() * 100;
        view.update(mean * random.nextDouble() * 2.5, mean, members);
        break;
    }
  }
}
