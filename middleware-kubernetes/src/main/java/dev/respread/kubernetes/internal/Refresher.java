package dev.respread.kubernetes.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.Ticker;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The one daemon thread on which a load view does all its network reads, so that
 * {@code LoadView.latest()} never waits for the network. A task that throws is logged and runs
 * again at its next period instead of cancelling the schedule.
 */
public final class Refresher implements AutoCloseable {
  private static final Logger logger = System.getLogger(Refresher.class.getName());

  private final ScheduledExecutorService executor;

  /** Starts a daemon thread named {@code respread-<name>}. */
  public Refresher(String name) {
    requireNonNull(name, "name");
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "respread-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  /** Runs {@code task} now, then {@code period} after each run ends. */
  public void every(Duration period, Runnable task) {
    executor.scheduleWithFixedDelay(guarded(task), 0, period.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Runs {@code task} once, as soon as the thread is free. */
  public void once(Runnable task) {
    if (!executor.isShutdown()) {
      executor.execute(guarded(task));
    }
  }

  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (Throwable t) {
        logger.log(Level.ERROR, "respread load view refresh failed unexpectedly", t);
      }
    };
  }

  /** Stops the thread; a read in progress is interrupted. */
  @Override
  public void close() {
    executor.shutdownNow();
  }

  /**
   * Converts a wall-clock instant reported by a server (a PodMetrics timestamp, a PromQL
   * evaluation time) into the {@link Ticker} time base of the load controller: now on the ticker,
   * minus the age of {@code observed} on the wall clock. An instant in the future (clock skew
   * between nodes) counts as now, so skew never makes load look fresher than it is.
   */
  public static long tickerTime(Instant observed, Clock clock, Ticker ticker) {
    long now = ticker.nanoTime();
    Duration age = Duration.between(observed, clock.instant());
    if (age.isNegative()) {
      return now;
    }
    // An age beyond ~292 years cannot be represented in nanoseconds; it is stale either way.
    long ageNanos = age.compareTo(Duration.ofDays(365L * 200)) > 0
        ? Long.MAX_VALUE / 4 : age.toNanos();
    return now - ageNanos;
  }
}
