package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
  @Test
  void everyValueFallsInTheBucketThatBoundsIt() {
    for (long micros = 0; micros < 5_000_000; micros = micros * 11 / 10 + 1) {
      int i = LatencyHistogram.index(micros);
      assertThat(LatencyHistogram.lowerBoundMicros(i)).isLessThanOrEqualTo(micros);
      assertThat(LatencyHistogram.upperBoundMicros(i)).isGreaterThan(micros);
    }
  }

  @Test
  void bucketsAreContiguous() {
    for (int i = 0; i < LatencyHistogram.BUCKETS - 1; i++) {
      assertThat(LatencyHistogram.upperBoundMicros(i))
          .isEqualTo(LatencyHistogram.lowerBoundMicros(i + 1));
    }
  }

  @Test
  void percentilesAreWithinTheBucketPrecision() {
    LatencyHistogram h = new LatencyHistogram();
    for (int ms = 1; ms <= 1000; ms++) {
      h.record(ms * 1_000_000L);
    }
    assertThat(h.count()).isEqualTo(1000);
    assertThat(h.percentileMillis(0.5)).isCloseTo(500, within(500 * 0.07));
    assertThat(h.percentileMillis(0.99)).isCloseTo(990, within(990 * 0.07));
    assertThat(h.percentileMillis(0.999)).isCloseTo(999, within(999 * 0.07));
  }

  @Test
  void anEmptyHistogramHasNoPercentiles() {
    assertThat(new LatencyHistogram().percentileMillis(0.5)).isNaN();
  }

  @Test
  void valuesBeyondTheLastBucketAreKept() {
    LatencyHistogram h = new LatencyHistogram();
    h.record(Long.MAX_VALUE);
    assertThat(h.counts()[LatencyHistogram.BUCKETS - 1]).isEqualTo(1);
  }

  @Test
  void aFractionOutsideZeroToOneIsRefused() {
    assertThatThrownBy(() -> new LatencyHistogram().percentileMillis(1.5))
        .hasMessage("q: 1.5 (expected: 0 to 1)");
  }
}
