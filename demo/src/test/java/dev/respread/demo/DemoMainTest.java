package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws InterruptedException {
    return DemoMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void aBadArgumentStopsTheDemoWithItsValueAndWhatWasExpected() throws Exception {
    assertThat(run("--pods", "x")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("respread-demo: --pods: \"x\" (expected: an integer)");
    assertThat(out.size()).isZero();
  }

  @Test
  void aDurationWithoutAUnitIsRefused() throws Exception {
    assertThat(run("--run", "30")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(
        "respread-demo: --run: \"30\" (expected: a duration such as 500ms, 90s, 5m, 1h or PT5M)");
  }

  @Test
  void anUnknownProxyIsRefused() throws Exception {
    assertThat(run("--proxy", "ipvs")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("respread-demo: --proxy: \"ipvs\" (expected: in-process or iptables)");
  }

  @Test
  void anUnknownViewIsRefused() throws Exception {
    assertThat(run("--view", "kubernetes")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("respread-demo: --view: \"kubernetes\" (expected: in-process or prometheus)");
  }

  @Test
  void helpListsEveryOptionWithItsDefault() throws Exception {
    assertThat(run("--help")).isZero();

    assertThat(out.toString(StandardCharsets.UTF_8)).contains("[--clients 32]", "[--run 30s]",
        "[--modes off,fixed-age,respread,close-every-request,goaway-chance,client-side,l7-proxy]",
        "[--proxy in-process]", "[--view in-process]", "[--scrape-interval 1s]",
        "[--goaway-chance 0.02]", "[--refresh 30s]", "[--quiet]");
  }

  @Test
  void aGoAwayChanceOutsideZeroToOneIsRefused() throws Exception {
    assertThat(run("--goaway-chance", "0")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(
        "respread-demo: --goaway-chance: \"0\" (expected: a number > 0 and <= 1)");
  }

  @Test
  void anUnknownModeIsRefusedWithEveryModeNamed() throws Exception {
    assertThat(run("--modes", "off,mesh")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(
        "respread-demo: mode: \"mesh\" (expected: off, fixed-age, respread, "
            + "close-every-request, goaway-chance, client-side or l7-proxy)");
  }

  @Test
  void helpListsTheReportAndTheTimeline() throws Exception {
    assertThat(run("--help")).isZero();

    assertThat(out.toString(StandardCharsets.UTF_8)).contains("[--report FILE]", "[--timeline]",
        "[--quiet]");
  }

  @Test
  void aReportInADirectoryThatDoesNotExistIsRefusedBeforeAnythingRuns() throws Exception {
    assertThat(run("--report", "/nonexistent-dir/report.html")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("respread-demo: --report: "
        + "\"/nonexistent-dir/report.html\" (expected: a file in a directory that exists)");
    assertThat(out.size()).isZero();
  }

  @Test
  void aBadSoakOptionStopsTheSoakWithItsValueAndWhatWasExpected() throws Exception {
    assertThat(run("soak", "--requests", "-1")).isEqualTo(2);

    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(
        "respread-demo soak: --requests: \"-1\" (expected: an integer >= 0)");
    assertThat(out.size()).isZero();
  }

  @Test
  void soakHelpListsEveryOptionWithItsDefault() throws Exception {
    assertThat(run("soak", "--help")).isZero();

    assertThat(out.toString(StandardCharsets.UTF_8)).contains("soak", "[--duration 60s]",
        "[--requests 0]", "[--pods 3]", "[--event-gap 5s]", "[--prometheus-outage 10s]",
        "[--wrk-connections 2]", "[--node-client <dir>]");
  }
}
