package dev.respread.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LiveViewTest {
  /** 2 pods, 10 after 4 s, 12 s more. */
  private static final ScaleOutScenario SCENARIO = new ScaleOutScenario(2, 10, 40, 5, 30,
      Duration.ofSeconds(4), Duration.ofSeconds(12), Duration.ofSeconds(20),
      Duration.ofSeconds(5), 1, false, ScaleOutScenario.View.IN_PROCESS, Duration.ofSeconds(1),
      Map.of());
  /** Six modes, as many as the comparison runs. */
  private static final List<Mode> SIX = List.of(Mode.OFF, Mode.FIXED_AGE, Mode.RESPREAD,
      Mode.OFF, Mode.FIXED_AGE, Mode.RESPREAD);

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void theCompactViewPrintsALineEveryFewSecondsAtTheScaleOutAndAtTheEnd() {
    LiveView view = LiveView.of(LiveView.Kind.COMPACT, out, SCENARIO, List.of(Mode.RESPREAD), 0);

    run(view, Mode.RESPREAD);

    assertThat(lines()).containsExactly("", LiveView.heading(Mode.RESPREAD),
        "respread   4/16 s  calls/s: 100 100  max/mean 1.00  <- scale-out to 10 pods",
        "respread   5/16 s  calls/s: 100 100 0 0 0 0 0 0 0 0  max/mean 5.00",
        "respread  10/16 s  calls/s: 22 18 20 20 20 20 20 20 20 20  max/mean 1.10",
        "respread  15/16 s  calls/s: 22 18 20 20 20 20 20 20 20 20  max/mean 1.10",
        "respread  16/16 s  calls/s: 22 18 20 20 20 20 20 20 20 20  max/mean 1.10",
        "respread done: max/mean 1.10 at the end, balanced after 2 s, 0 reconnects, 0 failed");
  }

  @Test
  void theTimelinePrintsEverySecondAsBefore() {
    LiveView view = LiveView.of(LiveView.Kind.TIMELINE, out, SCENARIO, List.of(Mode.OFF), 0);

    List<ScaleOutScenario.Second> timeline = run(view, Mode.OFF);

    List<String> expected = new ArrayList<>(List.of("", LiveView.heading(Mode.OFF)));
    for (ScaleOutScenario.Second s : timeline) {
      expected.add(Report.line(s, SCENARIO));
    }
    assertThat(lines()).containsExactlyElementsOf(expected);
    assertThat(lines().get(5)).startsWith("t=  4s  pods 2 |  100  100 | max/mean 1.00")
        .endsWith("<- scale-out to 10 pods");
  }

  @Test
  void quietPrintsOnlyAHeadingPerMode() {
    LiveView view = LiveView.of(LiveView.Kind.QUIET, out, SCENARIO, List.of(Mode.OFF), 0);

    run(view, Mode.OFF);

    assertThat(lines()).containsExactly("", LiveView.heading(Mode.OFF));
  }

  @Test
  void theTerminalShowsALinePerModeAndABarPerPodOfTheRunningMode() {
    LiveView.Terminal view = new LiveView.Terminal(out, SCENARIO, SIX, 100);

    view.start(Mode.OFF);
    view.end(result(Mode.OFF, timeline()));
    view.start(Mode.FIXED_AGE);
    for (ScaleOutScenario.Second s : timeline().subList(0, 8)) {
      view.second(s);
    }

    List<String> frame = view.frame().stream().map(LiveViewTest::visible).toList();
    assertThat(frame).hasSize(SIX.size() + 10);
    assertThat(frame.get(0)).isEqualTo("  off        done: max/mean 1.10 at the end, balanced "
        + "after 2 s, 0 reconnects, 0 failed");
    assertThat(frame.get(1)).startsWith("> fixed-age  [##########..........]   8/16 s  after the "
        + "scale-out to 10  max/mean 1.10  1600 calls");
    assertThat(frame.get(2)).startsWith("    pod  1     ").endsWith("    22/s");
    assertThat(frame.get(11)).startsWith("    pod 10 new ").endsWith("    20/s");
    assertThat(frame.subList(12, 16)).allSatisfy(l -> assertThat(l).endsWith("  waiting"));
  }

  @Test
  void noLineOfTheTerminalIsWiderThanTheTerminal() {
    LiveView.Terminal view = new LiveView.Terminal(out, SCENARIO, SIX, 72);

    view.start(Mode.OFF);
    view.end(result(Mode.OFF, timeline()));
    view.start(Mode.FIXED_AGE);
    view.second(timeline().get(9));

    assertThat(view.frame()).allSatisfy(l -> assertThat(visible(l).length()).isLessThan(72));
  }

  @Test
  void theTerminalRedrawsOverTheLastFrameInPlace() {
    LiveView.Terminal view = new LiveView.Terminal(out, SCENARIO, SIX, 100);
    view.start(Mode.OFF);
    view.second(timeline().get(0));
    bytes.reset();

    view.second(timeline().get(1));

    // Up to the first line of the last frame (a line a mode and 2 pods), clear it, redraw.
    String drawn = bytes.toString(StandardCharsets.UTF_8);
    assertThat(drawn).startsWith("\r\033[8A\033[J");
    assertThat(drawn.split("\n", -1)).hasSize(8 + 1);
  }

  @Test
  void aBarIsScaledToTheBusiestSecondToAnEighthOfACell() {
    assertThat(LiveView.Terminal.bar(100, 100, 10)).isEqualTo("█".repeat(10));
    assertThat(LiveView.Terminal.bar(50, 100, 10)).isEqualTo("█".repeat(5) + " ".repeat(5));
    // 53 % of 80 eighths: 42, five cells and two eighths.
    assertThat(LiveView.Terminal.bar(53, 100, 10)).isEqualTo("█████▎    ");
    assertThat(LiveView.Terminal.bar(0, 0, 4)).isEqualTo("    ");
  }

  /** 2 pods for 4 s, then 10 pods: empty for a second, then even but for the first two. */
  private static List<ScaleOutScenario.Second> timeline() {
    List<ScaleOutScenario.Second> timeline = new ArrayList<>();
    for (int t = 1; t <= 16; t++) {
      long[] calls;
      if (t <= 4) {
        calls = new long[] {100, 100};
      } else if (t == 5) {
        calls = new long[10];
        calls[0] = 100;
        calls[1] = 100;
      } else {
        calls = new long[10];
        Arrays.fill(calls, 20);
        calls[0] = 22;
        calls[1] = 18;
      }
      timeline.add(new ScaleOutScenario.Second(t, calls, new double[calls.length], 0));
    }
    return timeline;
  }

  private List<ScaleOutScenario.Second> run(LiveView view, Mode mode) {
    List<ScaleOutScenario.Second> timeline = timeline();
    view.start(mode);
    timeline.forEach(view::second);
    view.end(result(mode, timeline));
    return timeline;
  }

  private static ScaleOutScenario.Result result(Mode mode,
      List<ScaleOutScenario.Second> timeline) {
    return TestResults.of(mode, SCENARIO, timeline, 0, Map.of(), new LatencyHistogram());
  }

  private List<String> lines() {
    return List.of(bytes.toString(StandardCharsets.UTF_8).split("\n"));
  }

  /** What a terminal shows of {@code line}: without its escapes. */
  private static String visible(String line) {
    return line.replaceAll("\033\\[[0-9;]*[A-Za-z]", "");
  }
}
