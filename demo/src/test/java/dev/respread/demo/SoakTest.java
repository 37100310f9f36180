package dev.respread.demo;

import static dev.respread.demo.DemoOutput.result;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's {@code soak} for a minute: pods of their own recycling hard (3 s, 50 requests per
 * connection, the Prometheus load view) behind kube-proxy-style iptables rules, driven at once by
 * grpc-java (unary, server streaming, bidi), grpc-js, OkHttp (h2, HTTP/1.1), the JDK HttpClient
 * (h2c, HTTP/1.1), curl keep-alive loops and wrk, while the Service scales out, Prometheus is
 * SIGKILLed and restarted, the Service scales in, every pod is replaced one at a time, and a pod
 * is SIGKILLed. Needs root, iptables, iproute2, Prometheus, curl, wrk, Node with the soak
 * client's {@code npm ci}, and a JDK whose HttpClient survives a GOAWAY (17.0.17 or later);
 * {@code .ci/run} installs them.
 */
class SoakTest {

  @Test
  void noRequestFailsOnAnyClientStackThroughScalingRollingRestartAndFaults(@TempDir Path dir)
      throws Exception {
    Path output = dir.resolve("soak.out");

    int status = NetnsLauncher.run(List.of("soak", "--duration", "60s", "--event-gap", "2s",
        "--progress", "10s"), ProcessBuilder.Redirect.to(output.toFile()));

    String printed = Files.readString(output);
    assertThat(status).as(printed).isZero();
    Map<String, String> r = result(printed, "soak");
    // Only the calls a SIGKILLed pod had in flight may fail; they are counted apart.
    assertThat(r).as(printed).containsEntry("failed", "0").containsEntry("forced", "0")
        .containsEntry("not_drained", "0");
    for (String client : List.of("grpc-java_unary", "grpc-java_server-streaming",
        "grpc-java_bidi", "grpc-js", "OkHttp_h2", "OkHttp_HTTP/1.1", "JDK_HttpClient_h2c",
        "JDK_HttpClient_HTTP/1.1", "curl", "wrk")) {
      String[] requestsFailedKilled = r.get(client).split("/");
      assertThat(Long.parseLong(requestsFailedKilled[0])).as(client + "\n" + printed)
          .isPositive();
      assertThat(requestsFailedKilled[1]).as(client + "\n" + printed).isEqualTo("0");
    }
    for (String event : List.of(SoakEvents.SCALE_OUT, SoakEvents.PROMETHEUS,
        SoakEvents.SCALE_IN, SoakEvents.ROLLING, SoakEvents.SIGKILL)) {
      assertThat(r).as(printed).containsKey(event);
    }
    assertThat(Long.parseLong(r.get("recycles"))).as(printed).isPositive();
    // No pod started more budgeted drains in any minute than its budget allows, the minutes
    // around Prometheus' restart included.
    assertThat(Double.parseDouble(r.get("budget_share"))).as(printed).isLessThanOrEqualTo(1.0);
  }
}
