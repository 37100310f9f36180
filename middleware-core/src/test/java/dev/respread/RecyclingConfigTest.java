package dev.respread;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecyclingConfigTest {

  private static InvalidConfigurationException invalid(Map<String, String> env) {
    try {
      RecyclingConfig.fromEnvironment(env);
    } catch (InvalidConfigurationException e) {
      return e;
    }
    throw new AssertionError("expected an InvalidConfigurationException for " + env);
  }

  @Test
  void finalGoAwayDelayIsThePingTimeoutAtMostAQuarterOfTheGrace() {
    assertThat(RecyclingConfig.defaults().finalGoAwayDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(RecyclingConfig.builder().maxConnectionAgeGrace(Duration.ofSeconds(8)).build()
        .finalGoAwayDelay()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    RecyclingConfig c = RecyclingConfig.defaults();
    assertThat(c.enabled()).isTrue();
    assertThat(c.maxConnectionAge()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.maxConnectionAgeGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.jitter()).isEqualTo(0.1);
    assertThat(c.maxRequestsPerConnection()).isZero();
    assertThat(c.loadSource()).isEqualTo(LoadSource.NONE);
    assertThat(c.loadThreshold()).isEqualTo(0.2);
    assertThat(c.loadMinDifference()).isEmpty();
    assertThat(c.loadGain()).isEqualTo(0.5);
    assertThat(c.loadInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.loadMaxStaleness()).isEqualTo(Duration.ofMinutes(2));
    assertThat(c.coldMaxConnectionAge()).isEqualTo(Duration.ofMinutes(40));
    assertThat(c.maxDrainsPerSecond()).isEqualTo(10);
    assertThat(c.maxDrainingFraction()).isEqualTo(0.25);
    assertThat(c.shutdownDelay()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.goAwayPingTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void emptyEnvironmentGivesDefaults() {
    assertThat(RecyclingConfig.fromEnvironment(Map.of()).toString())
        .isEqualTo(RecyclingConfig.defaults().toString());
  }

  @Test
  void durationsAcceptShortUnitsCompoundsAndIso8601() {
    assertThat(age("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(age("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(age("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(age("2d")).isEqualTo(Duration.ofDays(2));
    assertThat(age("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(age("750ms")).isEqualTo(Duration.ofMillis(750));
    assertThat(age("PT5M")).isEqualTo(Duration.ofMinutes(5));
    assertThat(age("pt2h")).isEqualTo(Duration.ofHours(2));
    assertThat(age(" 5m ")).isEqualTo(Duration.ofMinutes(5));
  }

  private static Duration age(String text) {
    return RecyclingConfig.fromEnvironment(Map.of("RESPREAD_MAX_CONNECTION_AGE", text))
        .maxConnectionAge();
  }

  @Test
  void environmentOverridesTheBuilder() {
    RecyclingConfig c = RecyclingConfig.builder()
        .maxConnectionAge(Duration.ofMinutes(3))
        .jitter(0.2)
        .environment(Map.of("RESPREAD_MAX_CONNECTION_AGE", "7m"))
        .build();
    assertThat(c.maxConnectionAge()).isEqualTo(Duration.ofMinutes(7));
    assertThat(c.jitter()).isEqualTo(0.2);
  }

  @Test
  void everyVariableIsRead() {
    RecyclingConfig c = RecyclingConfig.fromEnvironment(Map.ofEntries(
        Map.entry("RESPREAD_ENABLED", "false"),
        Map.entry("RESPREAD_MAX_CONNECTION_AGE", "20m"),
        Map.entry("RESPREAD_MAX_CONNECTION_AGE_GRACE", "45s"),
        Map.entry("RESPREAD_JITTER", "0.25"),
        Map.entry("RESPREAD_MAX_REQUESTS_PER_CONNECTION", "1000"),
        Map.entry("RESPREAD_LOAD_THRESHOLD", "0.3"),
        Map.entry("RESPREAD_LOAD_MIN_DIFFERENCE", "0.1"),
        Map.entry("RESPREAD_LOAD_GAIN", "0.7"),
        Map.entry("RESPREAD_LOAD_INTERVAL", "2s"),
        Map.entry("RESPREAD_LOAD_MAX_STALENESS", "90s"),
        Map.entry("RESPREAD_COLD_MAX_CONNECTION_AGE", "1h"),
        Map.entry("RESPREAD_MAX_DRAINS_PER_SECOND", "3"),
        Map.entry("RESPREAD_MAX_DRAINING_FRACTION", "0.5"),
        Map.entry("RESPREAD_SHUTDOWN_DELAY", "0s"),
        Map.entry("RESPREAD_GOAWAY_PING_TIMEOUT", "2s")));
    assertThat(c.enabled()).isFalse();
    assertThat(c.maxConnectionAge()).isEqualTo(Duration.ofMinutes(20));
    assertThat(c.maxConnectionAgeGrace()).isEqualTo(Duration.ofSeconds(45));
    assertThat(c.jitter()).isEqualTo(0.25);
    assertThat(c.maxRequestsPerConnection()).isEqualTo(1000);
    assertThat(c.loadThreshold()).isEqualTo(0.3);
    assertThat(c.loadMinDifference()).hasValue(0.1);
    assertThat(c.loadGain()).isEqualTo(0.7);
    assertThat(c.loadInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.loadMaxStaleness()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.coldMaxConnectionAge()).isEqualTo(Duration.ofHours(1));
    assertThat(c.maxDrainsPerSecond()).isEqualTo(3);
    assertThat(c.maxDrainingFraction()).isEqualTo(0.5);
    assertThat(c.shutdownDelay()).isZero();
    assertThat(c.goAwayPingTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void coldAgeCapDefaultsToFourTimesTheMaxAge() {
    assertThat(RecyclingConfig.builder().maxConnectionAge(Duration.ofMinutes(3)).build()
        .coldMaxConnectionAge()).isEqualTo(Duration.ofMinutes(12));
  }

  @Test
  void emptyValueIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE", "")).problems()).containsExactly(
        "RESPREAD_MAX_CONNECTION_AGE: \"\" (expected: a duration such as 500ms, 90s, 5m, 1h or "
            + "PT5M, >= 100ms and <= 8760h)");
  }

  @Test
  void negativeDurationIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE_GRACE", "-PT5S")).problems())
        .containsExactly("RESPREAD_MAX_CONNECTION_AGE_GRACE: \"-PT5S\" (expected: > 0s and <= 1h)");
  }

  @Test
  void negativeNumberIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_REQUESTS_PER_CONNECTION", "-3")).problems())
        .containsExactly("RESPREAD_MAX_REQUESTS_PER_CONNECTION: \"-3\" "
            + "(expected: 0 to turn off, or >= 2)");
  }

  @Test
  void zeroAgeIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE", "0s")).problems()).containsExactly(
        "RESPREAD_MAX_CONNECTION_AGE: \"0s\" (expected: >= 100ms and <= 8760h)");
  }

  @Test
  void zeroGraceIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE_GRACE", "0s")).problems())
        .containsExactly("RESPREAD_MAX_CONNECTION_AGE_GRACE: \"0s\" (expected: > 0s and <= 1h)");
  }

  @Test
  void zeroDrainsPerSecondIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_DRAINS_PER_SECOND", "0")).problems()).containsExactly(
        "RESPREAD_MAX_DRAINS_PER_SECOND: \"0\" (expected: 1 to 100000)");
  }

  @Test
  void nanIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_JITTER", "NaN")).problems()).containsExactly(
        "RESPREAD_JITTER: \"NaN\" (expected: 0.0 to 1.0)");
  }

  @Test
  void jitterAboveOneIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_JITTER", "1.5")).problems()).containsExactly(
        "RESPREAD_JITTER: \"1.5\" (expected: 0.0 to 1.0)");
  }

  @Test
  void numberThatIsNotANumberIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_LOAD_GAIN", "half")).problems()).containsExactly(
        "RESPREAD_LOAD_GAIN: \"half\" (expected: a number, > 0.0 and <= 1.0)");
  }

  @Test
  void overflowingDurationIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE", "99999999999999999999h"))
        .problems()).containsExactly("RESPREAD_MAX_CONNECTION_AGE: \"99999999999999999999h\" "
            + "(expected: a duration such as 500ms, 90s, 5m, 1h or PT5M, >= 100ms and <= 8760h)");
  }

  @Test
  void durationTooLargeForNanosecondsIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE", "200000d")).problems())
        .singleElement().asString().startsWith("RESPREAD_MAX_CONNECTION_AGE: \"200000d\"");
  }

  @Test
  void overflowingIntegerIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_REQUESTS_PER_CONNECTION", "99999999999999999999"))
        .problems()).containsExactly("RESPREAD_MAX_REQUESTS_PER_CONNECTION: "
            + "\"99999999999999999999\" (expected: a whole number, 0 to turn off, or >= 2)");
  }

  @Test
  void durationWithoutUnitIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE", "300")).problems()).containsExactly(
        "RESPREAD_MAX_CONNECTION_AGE: \"300\" (expected: a duration such as 500ms, 90s, 5m, 1h "
            + "or PT5M, >= 100ms and <= 8760h)");
  }

  @Test
  void unknownLoadSourceIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_LOAD_SOURCE", "consul")).problems()).containsExactly(
        "RESPREAD_LOAD_SOURCE: \"consul\" (expected: one of none, kubernetes, prometheus)");
  }

  @Test
  void loadSourceIsCaseInsensitive() {
    assertThat(RecyclingConfig.fromEnvironment(Map.of("RESPREAD_LOAD_SOURCE", "Kubernetes"))
        .loadSource()).isEqualTo(LoadSource.KUBERNETES);
  }

  @Test
  void graceLongerThanAnHourIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE_GRACE", "2h")).problems())
        .containsExactly("RESPREAD_MAX_CONNECTION_AGE_GRACE: \"2h\" (expected: > 0s and <= 1h)");
  }

  @Test
  void requestCapOfOneIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_REQUESTS_PER_CONNECTION", "1")).problems())
        .containsExactly("RESPREAD_MAX_REQUESTS_PER_CONNECTION: \"1\" "
            + "(expected: 0 to turn off, or >= 2)");
  }

  @Test
  void requestCapOfZeroTurnsTheCapOff() {
    assertThat(RecyclingConfig.fromEnvironment(Map.of("RESPREAD_MAX_REQUESTS_PER_CONNECTION",
        "0")).maxRequestsPerConnection()).isZero();
  }

  @Test
  void booleanMustBeTrueOrFalse() {
    assertThat(invalid(Map.of("RESPREAD_ENABLED", "yes")).problems()).containsExactly(
        "RESPREAD_ENABLED: \"yes\" (expected: true or false)");
  }

  @Test
  void coldAgeCapBelowTheMaxAgeIsRejected() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONNECTION_AGE", "10m",
        "RESPREAD_COLD_MAX_CONNECTION_AGE", "5m")).problems()).containsExactly(
        "RESPREAD_COLD_MAX_CONNECTION_AGE: \"5m\" (expected: >= max connection age 10m)");
  }

  @Test
  void misspelledVariableIsReportedWithASuggestion() {
    assertThat(invalid(Map.of("RESPREAD_MAX_CONECTION_AGE", "5m")).problems()).containsExactly(
        "RESPREAD_MAX_CONECTION_AGE: \"5m\" (expected: a known RESPREAD_ variable; did you mean "
            + "RESPREAD_MAX_CONNECTION_AGE?)");
  }

  @Test
  void everyBadVariableIsReportedInOneMessage() {
    InvalidConfigurationException e = invalid(Map.of(
        "RESPREAD_JITTER", "1.5",
        "RESPREAD_MAX_CONNECTION_AGE", "5",
        "RESPREAD_LOAD_SOURCE", "etcd",
        "RESPREAD_MAX_REQUESTS_PER_CONNECTION", "1"));
    assertThat(e.problems()).hasSize(4);
    assertThat(e.getMessage()).isEqualTo("Invalid respread configuration (4 problems):\n"
        + "  RESPREAD_MAX_CONNECTION_AGE: \"5\" (expected: a duration such as 500ms, 90s, 5m, 1h "
        + "or PT5M, >= 100ms and <= 8760h)\n"
        + "  RESPREAD_JITTER: \"1.5\" (expected: 0.0 to 1.0)\n"
        + "  RESPREAD_MAX_REQUESTS_PER_CONNECTION: \"1\" (expected: 0 to turn off, or >= 2)\n"
        + "  RESPREAD_LOAD_SOURCE: \"etcd\" (expected: one of none, kubernetes, prometheus)");
  }

  @Test
  void badBuilderValuesNameTheOption() {
    assertThatThrownBy(() -> RecyclingConfig.builder()
        .maxConnectionAge(Duration.ZERO)
        .loadGain(0)
        .build())
        .isInstanceOf(InvalidConfigurationException.class)
        .hasMessage("Invalid respread configuration (2 problems):\n"
            + "  maxConnectionAge: 0s (expected: >= 100ms and <= 8760h)\n"
            + "  loadGain: 0.0 (expected: > 0.0 and <= 1.0)");
  }

  @Test
  void builderRejectsNullWithTheParameterName() {
    assertThatThrownBy(() -> RecyclingConfig.builder().maxConnectionAge(null))
        .isInstanceOf(NullPointerException.class).hasMessage("maxConnectionAge");
  }
}
