package dev.respread.helm;

import static dev.respread.helm.ChartFixture.NAMESPACE;
import static dev.respread.helm.ChartFixture.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.respread.helm.ChartFixture.Rendered;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The respread-monitoring chart: the dashboard's ConfigMap for Grafana's sidecar and the
 * PrometheusRule, each off until switched on, rendered with real helm.
 */
class MonitoringChartTest {
  @TempDir
  static Path dir;

  static ChartFixture charts;

  @BeforeAll
  static void copyCharts() {
    charts = ChartFixture.create(dir);
  }

  private static Rendered render(Map<String, Object> values) {
    return charts.renderChart(charts.monitoring, values);
  }

  @Test
  void theDefaultsRenderNothing() {
    Rendered r = render(Map.of());

    assertThat(r.docs).isEmpty();
  }

  @Test
  void theDashboardConfigMapCarriesTheSidecarLabelAndTheDashboardAsShipped() throws Exception {
    Rendered r = render(Map.of("dashboard", Map.of("enabled", true)));

    Map<String, Object> cm = r.one("ConfigMap", "web-respread-dashboard");
    assertThat(map(cm, "metadata")).containsEntry("namespace", NAMESPACE);
    assertThat(map(map(cm, "metadata"), "labels")).containsEntry("grafana_dashboard", "1");
    String json = (String) map(cm, "data").get("respread.json");
    assertThat(json).isEqualTo(Files.readString(
        ChartFixture.SOURCE.resolve("respread-monitoring/dashboards/respread.json")).strip());
    assertThat(r.ofKind("PrometheusRule")).isEmpty();
  }

  @Test
  void theSidecarLabelItsValueNamespaceAndAnnotationsAreSettable() {
    Rendered r = render(Map.of("dashboard", Map.of("enabled", true,
        "sidecarLabel", "grafana.com/dashboard", "sidecarLabelValue", "respread",
        "namespace", "monitoring", "labels", Map.of("team", "platform"),
        "annotations", Map.of("grafana_folder", "respread"))));

    Map<String, Object> metadata = map(r.one("ConfigMap", "web-respread-dashboard"), "metadata");
    assertThat(metadata).containsEntry("namespace", "monitoring");
    assertThat(map(metadata, "labels"))
        .containsEntry("grafana.com/dashboard", "respread")
        .containsEntry("team", "platform")
        .doesNotContainKey("grafana_dashboard");
    assertThat(map(metadata, "annotations")).containsEntry("grafana_folder", "respread");
  }

  @Test
  void thePrometheusRuleCarriesThePlainRulesFileAsItsSpec() {
    Rendered r = render(Map.of("prometheusRule", Map.of("enabled", true,
        "labels", Map.of("release", "kube-prometheus-stack"))));

    Map<String, Object> rule = r.one("PrometheusRule", "web-respread");
    assertThat(rule).containsEntry("apiVersion", "monitoring.coreos.com/v1");
    assertThat(map(map(rule, "metadata"), "labels"))
        .containsEntry("release", "kube-prometheus-stack");
    assertThat(map(rule, "spec")).isEqualTo(ChartFixture.readYaml(
        ChartFixture.SOURCE.resolve("respread-monitoring/rules/respread.rules.yaml")));
    assertThat(r.ofKind("ConfigMap")).isEmpty();
  }

  @Test
  void aReleaseNamedForRespreadIsNotNamedTwice() {
    String out = new com.marcnuri.helm.Helm(charts.monitoring).template()
        .withName("respread").withNamespace(NAMESPACE)
        .set("prometheusRule.enabled", true).call();

    assertThat(new Rendered(out).one("PrometheusRule", "respread")).isNotNull();
  }

  @Test
  void theSchemaRefusesAnEnabledThatIsNotABoolean() {
    assertThatThrownBy(() -> render(Map.of("dashboard", Map.of("enabled", "yes"))))
        .hasMessageContaining("at '/dashboard/enabled': got string, want boolean");
  }

  @Test
  void theSchemaRefusesASidecarLabelThatIsNotALabelKey() {
    assertThatThrownBy(() -> render(Map.of("dashboard", Map.of("sidecarLabel", "grafana dashboard"))))
        .hasMessageContaining("at '/dashboard/sidecarLabel'")
        .hasMessageContaining("does not match pattern");
  }

  @Test
  void theSchemaRefusesANonStringLabelValueNamingIt() {
    assertThatThrownBy(() -> render(Map.of("prometheusRule",
        Map.of("labels", Map.of("release", Map.of("name", "x"))))))
        .hasMessageContaining("at '/prometheusRule/labels/release': got object, want string");
  }

  @Test
  void theSchemaRefusesAMisspelledKeyNamingIt() {
    assertThatThrownBy(() -> render(Map.of("dashbord", Map.of("enabled", true))))
        .hasMessageContaining("additional properties 'dashbord' not allowed");
  }

  @Test
  void theValuesFileMatchesTheSchemaKeys() {
    Map<String, Object> values = ChartFixture.readYaml(charts.monitoring.resolve("values.yaml"));
    Map<String, Object> schema = ChartFixture.readYaml(
        charts.monitoring.resolve("values.schema.json"));

    for (String block : new String[] {"dashboard", "prometheusRule"}) {
      assertThat(map(map(map(schema, "properties"), block), "properties").keySet())
          .as(block).containsExactlyInAnyOrderElementsOf(map(values, block).keySet());
    }
    assertThat(new Yaml().dump(values)).doesNotContain("enabled: true");
  }
}
