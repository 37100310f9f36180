package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The frames a drain writes, as {@code nghttp -v} (nghttp2-client) reads them: a request is
 * running when the connection reaches its age, and the client sees GOAWAY(2^31-1, NO_ERROR)
 * first, then the whole response on the same connection. (nghttp leaves once its request is done,
 * so the final GOAWAY, which waits for that request, is not in its trace.)
 */
class GoAwayFramesTest {
  private static final Pattern GOAWAY = Pattern.compile(
      "recv GOAWAY frame <length=\\d+, flags=0x00, stream_id=0>\\s+"
          + "\\(last_stream_id=(\\d+), error_code=(\\w+)\\(0x00\\), "
          + "opaque_data\\(\\d+\\)=\\[(\\w*)\\]");

  private final Fixture fixture = new Fixture();

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void drainAnnouncesGoAwayWithMaxStreamIdAndTheRunningRequestStillCompletes(
      Container container) throws Exception {
    Container.Running server = fixture.start(container, Recycling.fast()
        .maxRequestsPerConnection(0).goAwayPingTimeout(Duration.ofMillis(200)).build(),
        new TestServlet());
    Recycling recycling = fixture.recycling;

    Tools.Output out = Tools.run(List.of(Tools.require("nghttp"), "-v", "-n",
        server.url("/slow?ms=800")), Duration.ofSeconds(30));

    assertThat(out.exitCode).as(out.stdout + out.stderr).isZero();
    Matcher m = GOAWAY.matcher(out.stdout);
    assertThat(m.find()).as("first GOAWAY in:\n" + out.stdout).isTrue();
    assertThat(m.group(1)).isEqualTo(Integer.toString(Integer.MAX_VALUE));
    assertThat(m.group(2)).isEqualTo("NO_ERROR");
    if (container == Container.UNDERTOW) {
      assertThat(m.group(3)).as("debug data: the reason").isEqualTo("max_age");
    }
    int firstGoAway = m.start();
    int response = out.stdout.indexOf(":status: 200");
    int endOfResponse = out.stdout.indexOf("END_STREAM", response);
    assertThat(response).as("the response arrives after the first GOAWAY:\n" + out.stdout)
        .isGreaterThan(firstGoAway);
    assertThat(endOfResponse).isPositive();
    assertThat(recycling.drained("h2")).isEqualTo(1);
    assertThat(recycling.forced()).isZero();
  }
}
