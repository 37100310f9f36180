package dev.respread.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The snippets' {@code values.schema.json}, which helm checks on every install, upgrade, template
 * and lint before any template runs, and which editors read to check the values as they are typed.
 */
class ValuesSchemaTest {
  @TempDir
  static Path dir;

  static ChartFixture charts;

  @BeforeAll
  static void copyChartsAndBuildDependency() {
    charts = ChartFixture.create(dir);
  }

  /** Values the library accepts, in every form the schema allows. */
  static Stream<Arguments> goodValues() {
    return Stream.of(
        Arguments.of("enabled", true),
        Arguments.of("enabled", "false"),
        Arguments.of("maxConnectionAge", "1h30m"),
        Arguments.of("maxConnectionAge", "PT5M"),
        Arguments.of("maxConnectionAge", "10M"),
        Arguments.of("maxConnectionAgeGrace", "PT1M30.5S"),
        Arguments.of("shutdownDelay", "0s"),
        Arguments.of("loadInterval", "500ms"),
        Arguments.of("coldMaxConnectionAge", "2d"),
        Arguments.of("jitter", 0),
        Arguments.of("jitter", "0.25"),
        Arguments.of("maxRequestsPerConnection", 0),
        Arguments.of("maxRequestsPerConnection", 2),
        Arguments.of("maxRequestsPerConnection", "10000"),
        Arguments.of("loadThreshold", 10),
        Arguments.of("loadMinDifference", 0),
        Arguments.of("loadGain", 1),
        Arguments.of("maxDrainsPerSecond", 100000),
        Arguments.of("maxDrainingFraction", 1),
        Arguments.of("loadSource", "none"),
        Arguments.of("membersSource", "auto"),
        Arguments.of("prometheusMetric", "container_cpu"),
        Arguments.of("prometheusUrl", "https://prometheus.monitoring:9090"),
        Arguments.of("serviceName", "web-api"),
        Arguments.of("terminationGraceMarginSeconds", 0),
        Arguments.of("terminationGraceMarginSeconds", "10"),
        Arguments.of("rbac", Map.of("create", false, "serviceAccountName", "web-sa")));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("goodValues")
  void theSchemaAcceptsAValidValue(String key, Object value) {
    Map<String, Object> values = new HashMap<>();
    values.put(key, value);

    assertThat(charts.render(values).deployment()).isNotNull();
  }

  @Test
  void theSchemaAcceptsNullAndEmptyForEverySetting() {
    Map<String, Object> values = new LinkedHashMap<>();
    for (String key : libraryBlock().keySet()) {
      if (!key.equals("rbac")) {
        values.put(key, key.hashCode() % 2 == 0 ? "" : null);
      }
    }

    assertThat(charts.render(values).envNames()).containsExactly("POD_NAME", "POD_NAMESPACE");
  }

  /** A bad value, and what helm's message must say: the key's path, and why. */
  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of("enabled", "yes", "value must be one of"),
        Arguments.of("maxConnectionAge", 300, "got number, want string"),
        Arguments.of("maxConnectionAge", "5 minutes", "does not match pattern"),
        Arguments.of("maxConnectionAgeGrace", "30", "does not match pattern"),
        Arguments.of("shutdownDelay", "-5s", "does not match pattern"),
        Arguments.of("jitter", 1.5, "maximum"),
        Arguments.of("jitter", "high", "does not match pattern"),
        Arguments.of("maxRequestsPerConnection", 1, "'not' failed"),
        Arguments.of("maxRequestsPerConnection", -1, "minimum"),
        Arguments.of("maxRequestsPerConnection", 2.5, "got number, want integer"),
        Arguments.of("loadSource", "foo", "value must be one of"),
        Arguments.of("loadThreshold", 0, "exclusiveMinimum"),
        Arguments.of("loadThreshold", 11, "maximum"),
        Arguments.of("loadGain", 0, "exclusiveMinimum"),
        Arguments.of("maxDrainsPerSecond", 0, "minimum"),
        Arguments.of("maxDrainingFraction", 2, "maximum"),
        Arguments.of("membersSource", "endpoints", "value must be one of"),
        Arguments.of("prometheusMetric", "latency", "value must be one of"),
        Arguments.of("prometheusUrl", "prometheus:9090", "does not match pattern"),
        Arguments.of("serviceName", "Web_Service", "does not match pattern"),
        Arguments.of("terminationGraceMarginSeconds", -1, "minimum"),
        Arguments.of("terminationGraceMarginSeconds", "5s", "does not match pattern"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badValues")
  void theSchemaRefusesABadValueNamingTheKey(String key, Object value, String why) {
    Map<String, Object> values = new HashMap<>();
    values.put(key, value);

    assertThatThrownBy(() -> charts.render(values))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining("at '/respread/" + key + "'")
        .hasMessageContaining(why);
  }

  @Test
  void theSchemaRefusesAMisspelledKeyNamingIt() {
    assertThatThrownBy(() -> charts.render(Map.of("maxConectionAge", "5m")))
        .hasMessageContaining("at '/respread': additional properties 'maxConectionAge' not allowed");
  }

  @Test
  void theSchemaRefusesAnRbacValueOfTheWrongTypeNamingIt() {
    assertThatThrownBy(() -> charts.render(Map.of("rbac", Map.of("create", "yes"))))
        .hasMessageContaining("at '/respread/rbac/create': got string, want boolean");
  }

  @Test
  void theSchemaRefusesAnUnknownRbacKeyNamingIt() {
    assertThatThrownBy(() -> charts.render(Map.of("rbac", Map.of("serviceAccount", "web"))))
        .hasMessageContaining(
            "at '/respread/rbac': additional properties 'serviceAccount' not allowed");
  }

  @Test
  void theSchemaRefusesABlockThatIsNotAMap() {
    assertThatThrownBy(() -> charts.renderWith(Map.of("respread", "on")))
        .hasMessageContaining("at '/respread': got string, want object");
  }

  @Test
  void helmLintReportsABadValueInTheChartsOwnValuesNamingTheKey() throws IOException {
    Path chart = dir.resolve("lint-bad");
    ChartFixture.copyTree(charts.example, chart);
    Map<String, Object> values = ChartFixture.readYaml(chart.resolve("values.yaml"));
    @SuppressWarnings("unchecked")
    Map<String, Object> block = (Map<String, Object>) values.get("respread");
    block.put("loadSource", "kubernets");
    Files.writeString(chart.resolve("values.yaml"), new Yaml().dump(values));

    LintResult result = new Helm(chart).lint().strict().call();

    assertThat(result.isFailed()).isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("at '/respread/loadSource'");
  }

  @Test
  void aSecondValuesBlockReusesTheDefinitionThroughARef() throws IOException {
    // As docs/observability.md shows for a second Deployment through the dict form.
    Path chart = dir.resolve("second-block");
    ChartFixture.copyTree(charts.example, chart);
    Path file = chart.resolve("values.schema.json");
    Files.writeString(file, Files.readString(file).replaceFirst("\"properties\": \\{",
        "\"properties\": {\n    \"worker\": {\"type\": \"object\", \"properties\": "
            + "{\"respread\": {\"\\$ref\": \"#/properties/respread\"}}},"));

    assertThatThrownBy(() -> charts.renderChart(chart,
        Map.of("worker", Map.of("respread", Map.of("loadSource", "bar")))))
        .hasMessageContaining("at '/worker/respread/loadSource'")
        .hasMessageContaining("value must be one of");
    assertThat(charts.renderChart(chart,
        Map.of("worker", Map.of("respread", Map.of("loadSource", "none")))).deployment())
        .isNotNull();
  }

  @Test
  void theExampleCarriesTheLibrarysSchemaUnchanged() {
    // As with the values block, a chart that uses the snippets copies the library's schema of
    // the block under its own properties.respread.
    assertThat(properties(schema(charts.example)).get("respread"))
        .isEqualTo(properties(schema(charts.library)).get("respread"));
  }

  @Test
  void theSchemaDescribesEverySettingOfTheValuesBlockAndNoOther() {
    @SuppressWarnings("unchecked")
    Map<String, Object> respread = (Map<String, Object>) properties(schema(charts.library))
        .get("respread");

    assertThat(properties(respread).keySet()).containsExactlyInAnyOrderElementsOf(
        Stream.concat(libraryBlock().keySet().stream(), Stream.of("global")).toList());
  }

  @Test
  void helmLintPassesOnTheMonitoringChart() {
    LintResult result = new Helm(charts.monitoring).lint().strict().call();

    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> libraryBlock() {
    return (Map<String, Object>) ChartFixture.readYaml(charts.library.resolve("values.yaml"))
        .get("respread");
  }

  private static Map<String, Object> schema(Path chart) {
    return ChartFixture.readYaml(chart.resolve("values.schema.json"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> properties(Map<String, Object> schema) {
    return (Map<String, Object>) schema.get("properties");
  }
}
