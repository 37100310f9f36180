package dev.respread.demo;

import static dev.respread.demo.DemoOutput.result;
import static dev.respread.demo.DemoOutput.runInNamespaces;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo behind real kube-proxy-style iptables rules, in a network namespace the demo creates
 * and deletes. Needs root, iproute2 and iptables (installed by {@code .ci/run}).
 */
class IptablesServiceTest {

  @Test
  void rulesGiveEachOfThreeEndpointsAThirdAsKubeProxyWritesThem() {
    String rules = IptablesService.rules(List.of(new InetSocketAddress("127.0.0.1", 7001),
        new InetSocketAddress("127.0.0.1", 7002), new InetSocketAddress("127.0.0.1", 7003)));

    assertThat(rules).isEqualTo("*nat\n"
        + ":RESPREAD-DEMO-SVC - [0:0]\n"
        + "-A RESPREAD-DEMO-SVC -p tcp -m statistic --mode random --probability 0.3333333333"
        + " -j DNAT --to-destination 127.0.0.1:7001\n"
        + "-A RESPREAD-DEMO-SVC -p tcp -m statistic --mode random --probability 0.5000000000"
        + " -j DNAT --to-destination 127.0.0.1:7002\n"
        + "-A RESPREAD-DEMO-SVC -p tcp -j DNAT --to-destination 127.0.0.1:7003\n"
        + "COMMIT\n");
  }

  @Test
  void pinnedClientsSpreadBehindIptablesDnatOnlyWithRespread(@TempDir Path dir) throws Exception {
    String printed = runInNamespaces(dir, "--proxy", "iptables", "--modes", "off,respread",
        "--pods", "2", "--scale-to", "4", "--clients", "24", "--min-rate", "5",
        "--max-rate", "20", "--warmup", "3s", "--run", "9s", "--quiet");

    Map<String, String> off = result(printed, "off");
    Map<String, String> respread = result(printed, "respread");
    assertThat(off).containsEntry("failed", "0").containsEntry("drains", "0")
        .containsEntry("new_pods_share", "0.000");
    assertThat(respread).containsEntry("failed", "0").containsEntry("forced", "0");
    assertThat(Long.parseLong(respread.get("scale_out_drains"))).as(printed).isPositive();
    assertThat(Double.parseDouble(respread.get("new_pods_share"))).as(printed)
        .isGreaterThan(0.2);
  }
}
