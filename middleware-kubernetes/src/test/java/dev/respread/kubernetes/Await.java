package dev.respread.kubernetes;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits for what happens on other threads (informers, refresh threads, Prometheus). */
final class Await {
  /** Generous, for liveness on a loaded 2-core machine; never a performance assertion. */
  static final Duration LIVENESS = Duration.ofSeconds(30);

  private Await() {}

  static void until(BooleanSupplier condition, Supplier<String> state) {
    until(LIVENESS, condition, state);
  }

  static void until(Duration limit, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("not reached within " + limit + "; last state: " + state.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
