package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTextTest {
  private static final MetricsText PAGE = MetricsText.parse(""
      + "# HELP respread_connections_drained_total Connections the recycler started to drain\n"
      + "# TYPE respread_connections_drained_total counter\n"
      + "respread_connections_drained_total{protocol=\"grpc\",reason=\"load\",server=\"default\"}"
      + " 3.0\n"
      + "respread_connections_drained_total{protocol=\"grpc\",reason=\"scale_out\","
      + "server=\"default\"} 5.0\n"
      + "respread_connections_drained_total{protocol=\"h1\",reason=\"load\",server=\"default\"}"
      + " 1.0\n"
      + "respread_connections_drained_total{protocol=\"h1\",reason=\"max_age\",server=\"default\"}"
      + " 0.0\n"
      + "respread_load_ratio{server=\"default\"} NaN\n"
      + "demo_calls_total 1234.0 1700000000000\n"
      + "odd{path=\"a \\\"quoted\\\" }\"} +Inf\n");

  @Test
  void sumsCountersByLabel() {
    assertThat(PAGE.sum("respread_connections_drained_total")).isEqualTo(9.0);
    assertThat(PAGE.sum("respread_connections_drained_total", Map.of("protocol", "grpc")))
        .isEqualTo(8.0);
    assertThat(PAGE.countsBy("respread_connections_drained_total", "reason"))
        .isEqualTo(Map.of("load", 4L, "scale_out", 5L));
  }

  @Test
  void readsValuesWithoutLabelsWithATimestampOrNotANumber() {
    assertThat(PAGE.value("demo_calls_total")).isEqualTo(1234.0);
    assertThat(PAGE.value("respread_load_ratio")).isNaN();
    assertThat(PAGE.value("odd")).isInfinite();
    assertThat(PAGE.value("missing")).isNaN();
    assertThat(PAGE.sum("missing")).isZero();
  }
}
