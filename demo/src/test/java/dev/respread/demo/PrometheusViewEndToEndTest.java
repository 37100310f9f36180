package dev.respread.demo;

import static dev.respread.demo.DemoOutput.result;
import static dev.respread.demo.DemoOutput.runInNamespaces;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The load rule on the path a user deploys: the demo's {@code --view prometheus}. Each pod is a
 * JVM of its own wired as the README shows ({@code ConnectionRecycler.fromEnvironment()},
 * {@code RESPREAD_LOAD_SOURCE=prometheus}, Micrometer's Prometheus registry on {@code /metrics}),
 * a real Prometheus scrapes the pods every second and finds each one when it joins the Service,
 * the Service is kube-proxy's iptables rules, and 32 pinned grpc-java clients call it while it
 * scales from 2 to 4 pods. It all runs in network and PID namespaces of its own, which end every
 * process it started even if the demo dies. Needs root, iptables, iproute2 and Debian's
 * {@code prometheus} (installed by {@code .ci/run}); about a minute.
 */
class PrometheusViewEndToEndTest {

  @Test
  void podsOfTheirOwnBalanceAfterAScaleOutThroughARealPrometheus(@TempDir Path dir)
      throws Exception {
    String printed = runInNamespaces(dir, "--view", "prometheus", "--proxy", "iptables",
        "--modes", "respread", "--pods", "2", "--scale-to", "4", "--clients", "32",
        "--warmup", "10s", "--run", "40s");

    Map<String, String> r = result(printed, "respread");
    assertThat(r).as(printed).containsEntry("failed", "0").containsEntry("forced", "0");
    // The pods' own respread_connections_drained_total{reason="scale_out"}, read just before the
    // Service scaled: a view warming up, or pods whose first scrapes are a second apart, is not
    // a scale-out.
    assertThat(r).as(printed).containsEntry("scale_out_drains_before_scale_out", "0");
    // Over the last third of the run, every pod, the new ones included, serves more than a
    // quarter of a fair share, and the busiest at most 1.25 times the mean. (A pod below the
    // mean is left alone, so the least busy one may stay well below it.)
    assertThat(Double.parseDouble(r.get("min_over_mean"))).as(printed).isGreaterThan(0.25);
    assertThat(Double.parseDouble(r.get("max_over_mean"))).as(printed).isLessThanOrEqualTo(
        ScaleOutScenario.BALANCED);
  }
}
