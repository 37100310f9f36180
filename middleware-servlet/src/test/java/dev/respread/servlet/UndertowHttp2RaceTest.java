package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The remaining Undertow HTTP/2 race (a stream read but not yet counted when the final GOAWAY
 * goes) fails no request under the default drain settings, over a large run with a drain every
 * ~5 requests. {@link UndertowHttp2Race#main} measures the other configurations.
 */
class UndertowHttp2RaceTest {
  private static final int REQUESTS = Integer.getInteger("respread.race.requests", 20_000);

  @Test
  void largeRunWithDefaultDrainSettingsFailsNoRequest() throws Exception {
    UndertowHttp2Race.Outcome o = UndertowHttp2Race.run(
        UndertowHttp2Race.drainEveryFiveRequests().build(), true, REQUESTS, 16);
    System.out.println("undertow h2 race, defaults: " + o);

    assertThat(o.failed).as(o.toString()).isZero();
    assertThat(o.ok).isEqualTo(REQUESTS);
    assertThat(o.served).isEqualTo(REQUESTS);
    // OkHttp multiplexes every thread on one connection, which carries requests past its cap
    // until the client has read the first GOAWAY; each run still drains dozens of connections.
    assertThat(o.drained).as("drains in the run").isGreaterThan(50);
    assertThat(o.forced).isZero();
  }
}
