package dev.respread.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.respread.helm.ChartFixture.Rendered;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The alert rules, checked by {@code promtool} (Debian's {@code prometheus} package ships it,
 * and {@code .ci/run} installs the package): the plain rules file, the PrometheusRule the chart
 * renders from it, and the unit tests of each alert on synthetic series
 * ({@code src/test/promtool/respread.rules.test.yaml}).
 */
class PrometheusRulesTest {
  static final Path RULES = ChartFixture.SOURCE.resolve("respread-monitoring/rules/respread.rules.yaml");
  static final Path UNIT_TESTS = ChartFixture.SOURCE.resolve("src/test/promtool/respread.rules.test.yaml");

  /** What promtool printed, and how it exited. */
  record Result(int status, String output) {}

  static Result promtool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static Path binary() {
    for (String d : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin")
        .split(File.pathSeparator)) {
      Path p = Path.of(d, "promtool");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new AssertionError("promtool not found on PATH or in /usr/bin "
        + "(Debian: apt-get install prometheus)");
  }

  @Test
  void promtoolCheckRulesPassesOnThePlainRulesFile() throws Exception {
    Result r = promtool("check", "rules", RULES.toString());

    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: 3 rules found");
  }

  @Test
  void promtoolCheckRulesPassesOnThePrometheusRuleTheChartRenders(@TempDir Path dir)
      throws Exception {
    Path chart = dir.resolve("respread-monitoring");
    ChartFixture.copyTree(ChartFixture.SOURCE.resolve("respread-monitoring"), chart);
    String out = new Helm(chart).template().withName("web").withNamespace("shop")
        .set("prometheusRule.enabled", true).call();
    Map<String, Object> spec = ChartFixture.map(new Rendered(out).one("PrometheusRule",
        "web-respread"), "spec");
    Path file = dir.resolve("rendered.rules.yaml");
    Files.writeString(file, new Yaml().dump(spec));

    Result r = promtool("check", "rules", file.toString());

    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS: 3 rules found");
  }

  @Test
  void eachAlertFiresAndStaysQuietAsItsUnitTestsSay() throws Exception {
    // Imbalance only after 10 minutes, never with respread off in a pod, below 1 request/s per
    // pod, or within 1.5 times the mean; a forced close at once, for 10 minutes; a failing
    // view after 10 minutes, naming the pod, and not if it recovers before.
    Result r = promtool("test", "rules", UNIT_TESTS.toString());

    assertThat(r.status()).as(r.output()).isZero();
    assertThat(r.output()).contains("SUCCESS");
  }

  @Test
  void everyAlertHasAUnitTestThatFiresIt() throws Exception {
    Map<String, Object> rules = ChartFixture.readYaml(RULES);
    String tests = Files.readString(UNIT_TESTS);

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> groups = (List<Map<String, Object>>) rules.get("groups");
    List<String> alerts = new ArrayList<>();
    for (Map<String, Object> g : groups) {
      for (Map<String, Object> rule : ChartFixture.list(g, "rules")) {
        alerts.add((String) rule.get("alert"));
      }
    }
    assertThat(alerts).containsExactly("RespreadImbalance", "RespreadForcedCloses",
        "RespreadLoadViewFailing");
    for (String alert : alerts) {
      assertThat(tests).as(alert).containsPattern(
          "alertname: " + alert + "\\s+exp_alerts:\\s+- exp_labels:");
    }
  }
}
