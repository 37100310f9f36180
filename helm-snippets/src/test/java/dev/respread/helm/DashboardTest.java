package dev.respread.helm;

import static dev.respread.helm.ChartFixture.list;
import static dev.respread.helm.ChartFixture.map;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard's structure: the classic JSON model that Grafana's sidecar provisions,
 * with the datasource, namespace and Service as variables. What its queries return against real
 * pods and a real Prometheus is the demo module's DashboardQueriesTest.
 */
class DashboardTest {
  static final Path DASHBOARD = ChartFixture.SOURCE.resolve(
      "respread-monitoring/dashboards/respread.json");
  static final Map<String, Object> JSON = ChartFixture.readYaml(DASHBOARD);
  static final Map<String, Object> DATASOURCE = Map.of("type", "prometheus",
      "uid", "${datasource}");

  static List<Map<String, Object>> panels() {
    return list(JSON, "panels");
  }

  static List<Map<String, Object>> queryPanels() {
    return panels().stream().filter(p -> !"row".equals(p.get("type"))).toList();
  }

  @Test
  void itIsTheCurrentClassicSchemaWithAStableUid() {
    assertThat(JSON).containsEntry("schemaVersion", 41).containsEntry("uid", "respread");
    // No __inputs: the sidecar provisions the file as it is, with nothing to fill in.
    assertThat(JSON).doesNotContainKey("__inputs");
  }

  @Test
  void theDatasourceNamespaceAndServiceAreVariables() {
    List<Map<String, Object>> vars = list(map(JSON, "templating"), "list");

    assertThat(vars).extracting(v -> v.get("name"))
        .containsExactly("datasource", "namespace", "service");
    assertThat(vars.get(0)).containsEntry("type", "datasource").containsEntry("query",
        "prometheus");
    assertThat(vars.get(1)).containsEntry("datasource", DATASOURCE)
        .containsEntry("definition", "label_values(respread_requests_total, namespace)");
    assertThat(vars.get(2)).containsEntry("datasource", DATASOURCE).containsEntry("definition",
        "label_values(respread_requests_total{namespace=\"$namespace\"}, service)");
  }

  @Test
  void everyPanelAndQueryReadsTheDatasourceVariable() {
    for (Map<String, Object> p : queryPanels()) {
      assertThat(p.get("datasource")).as((String) p.get("title")).isEqualTo(DATASOURCE);
      for (Map<String, Object> t : list(p, "targets")) {
        assertThat(t.get("datasource")).as((String) p.get("title")).isEqualTo(DATASOURCE);
      }
    }
  }

  @Test
  void everyQueryIsScopedToTheChosenNamespaceAndService() {
    for (Map<String, Object> p : queryPanels()) {
      for (Map<String, Object> t : list(p, "targets")) {
        assertThat((String) t.get("expr")).as((String) p.get("title"))
            .contains("namespace=\"$namespace\"")
            .contains("service=\"$service\"");
      }
    }
  }

  @Test
  void theIssuesPanelsAreThere() {
    assertThat(queryPanels()).extracting(p -> p.get("title")).contains(
        "Requests per second, per pod", "CPU per pod (cores)",
        "Imbalance: busiest pod over the mean", "Drains by reason (per second)",
        "Forced closes", "Load ratio per pod (own load / fair share)", "Members and pods",
        "Load view state per pod", "Load view failures by cause (per second)");
  }

  @Test
  void requestRateAndCpuSitSideBySide() {
    Map<String, Object> rate = panel("Requests per second, per pod");
    Map<String, Object> cpu = panel("CPU per pod (cores)");

    assertThat(map(rate, "gridPos").get("y")).isEqualTo(map(cpu, "gridPos").get("y"));
    assertThat(map(rate, "gridPos").get("h")).isEqualTo(map(cpu, "gridPos").get("h"));
    assertThat((int) map(rate, "gridPos").get("x") + (int) map(rate, "gridPos").get("w"))
        .isEqualTo(map(cpu, "gridPos").get("x"));
  }

  @Test
  void panelIdsAreUniqueAndPanelsDoNotOverlapOnTheGrid() {
    Set<Object> ids = new HashSet<>();
    List<int[]> cells = new ArrayList<>();
    for (Map<String, Object> p : panels()) {
      assertThat(ids.add(p.get("id"))).as("id %s", p.get("id")).isTrue();
      Map<String, Object> g = map(p, "gridPos");
      int x = (int) g.get("x");
      int y = (int) g.get("y");
      int w = (int) g.get("w");
      int h = (int) g.get("h");
      assertThat(x + w).as((String) p.get("title")).isLessThanOrEqualTo(24);
      for (int[] c : cells) {
        boolean apart = x + w <= c[0] || c[0] + c[2] <= x || y + h <= c[1] || c[1] + c[3] <= y;
        assertThat(apart).as("%s overlaps another panel", p.get("title")).isTrue();
      }
      cells.add(new int[] {x, y, w, h});
    }
  }

  @Test
  void theImbalancePanelMarksTheAlertsThreshold() {
    Map<String, Object> defaults = map(map(panel("Imbalance: busiest pod over the mean"),
        "fieldConfig"), "defaults");

    assertThat(list(map(defaults, "thresholds"), "steps")).extracting(s -> s.get("value"))
        .contains(1.5);
  }

  static Map<String, Object> panel(String title) {
    return queryPanels().stream().filter(p -> title.equals(p.get("title"))).findFirst()
        .orElseThrow(() -> new AssertionError("no panel " + title));
  }
}
