package dev.respread.internal;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Limits how many drains start per second and how many connections drain at once. Lock-free:
 * a drain may be started from a request thread when a connection reaches its request cap.
 *
 * <p>The per-second limit counts drains in fixed windows of one second of the engine's clock; it
 * is {@code max(perSecond, ceil(fraction × open))}, so that it grows with what the server
 * carries. An absolute limit alone let every pod drain at the same rate whatever its connection
 * count, so that nothing pulled the counts back towards even: two pods drifted from 52 % to
 * 77 % of the connections with a request cap of 2, and ended less balanced than with no
 * recycling. The concurrent limit is {@code max(1, floor(fraction × open))}, so that one
 * connection may always drain even on a server with very few.
 */
final class DrainBudget {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;
  private static final int COUNT_BITS = 20;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

  private final int perSecond;
  private final double fraction;
  /** The current window's index shifted left by COUNT_BITS, ORed with the drains started in it. */
  private final AtomicLong window = new AtomicLong(Long.MIN_VALUE);
  private final AtomicInteger draining = new AtomicInteger();

  DrainBudget(int perSecond, double fraction) {
    this.perSecond = perSecond;
    this.fraction = fraction;
  }

  /**
   * Takes one drain from the budget, or returns {@code false}. A drain taken here counts as
   * draining until {@link #drainEnded()}.
   *
   * @param bypass whether limits are ignored (shutdown), though the drain is still counted
   */
  boolean tryAcquire(long nowNanos, int openConnections, boolean bypass) {
    if (bypass) {
      draining.incrementAndGet();
      return true;
    }
    int maxDraining = Math.max(1, (int) (fraction * openConnections));
    if (draining.incrementAndGet() > maxDraining) {
      draining.decrementAndGet();
      return false;
    }
    long index = Math.floorDiv(nowNanos, NANOS_PER_SECOND);
    long limit = Math.max(perSecond, (long) Math.ceil(fraction * openConnections));
    while (true) {
      long packed = window.get();
      long currentIndex = packed >> COUNT_BITS;
      long count = packed == Long.MIN_VALUE || currentIndex != index ? 0 : packed & COUNT_MASK;
      if (count >= Math.min(limit, COUNT_MASK)) {
        draining.decrementAndGet();
        return false;
      }
      long next = (index << COUNT_BITS) | (count + 1);
      if (window.compareAndSet(packed, next)) {
        return true;
      }
    }
  }

  /**
   * Gives back a drain taken by {@link #tryAcquire} that did not happen. Only the concurrent slot
   * returns: the per-second count stays spent, which errs on the side of fewer drains.
   */
  void cancel() {
    draining.decrementAndGet();
  }

  /** A draining connection closed. */
  void drainEnded() {
    draining.decrementAndGet();
  }

  int draining() {
    return draining.get();
  }
}
