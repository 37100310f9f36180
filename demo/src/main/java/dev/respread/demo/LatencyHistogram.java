package dev.respread.demo;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Call latencies in log-linear buckets: 16 buckets per power of two of microseconds, so that any
 * value is reported within about 6 % of what was recorded, from 1 µs to over a minute. Recording
 * takes no lock and allocates nothing, so the clients can record every call.
 */
final class LatencyHistogram {
  /** Sub-buckets per power of two. */
  private static final int SUB_BITS = 4;
  private static final int SUB = 1 << SUB_BITS;
  /** Enough buckets for 2^30 µs, about 18 minutes; longer values land in the last one. */
  static final int BUCKETS = (30 - SUB_BITS + 1) * SUB + SUB;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  /** Records one call that took {@code nanos}. */
  void record(long nanos) {
    counts.incrementAndGet(index(Math.max(0, nanos / 1_000)));
  }

  static int index(long micros) {
    if (micros < SUB) {
      return (int) micros;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(micros);
    int sub = (int) (micros >>> (exponent - SUB_BITS)) & (SUB - 1);
    return Math.min(BUCKETS - 1, (exponent - SUB_BITS + 1) * SUB + sub);
  }

  /** The smallest value, in microseconds, that falls in bucket {@code index}. */
  static long lowerBoundMicros(int index) {
    if (index < SUB) {
      return index;
    }
    int exponent = index / SUB + SUB_BITS - 1;
    long sub = index % SUB;
    return (SUB + sub) << (exponent - SUB_BITS);
  }

  /** The first value, in microseconds, above bucket {@code index}. */
  static long upperBoundMicros(int index) {
    return index == BUCKETS - 1 ? Long.MAX_VALUE : lowerBoundMicros(index + 1);
  }

  /** The calls recorded in each bucket, a copy. */
  long[] counts() {
    long[] c = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      c[i] = counts.get(i);
    }
    return c;
  }

  long count() {
    long n = 0;
    for (int i = 0; i < BUCKETS; i++) {
      n += counts.get(i);
    }
    return n;
  }

  /**
   * The latency below which a fraction {@code q} of the calls fell, in milliseconds: the middle
   * of the bucket that holds it; NaN when nothing was recorded.
   */
  double percentileMillis(double q) {
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("q: " + q + " (expected: 0 to 1)");
    }
    long[] c = counts();
    long total = 0;
    for (long n : c) {
      total += n;
    }
    if (total == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, (long) Math.ceil(q * total));
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += c[i];
      if (seen >= rank) {
        long lo = lowerBoundMicros(i);
        long hi = i == BUCKETS - 1 ? lo : upperBoundMicros(i);
        return (lo + hi) / 2.0 / 1_000.0;
      }
    }
    throw new AssertionError("rank " + rank + " beyond " + total);
  }
}
