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
  private static final int THREADS = 16;

  @Test
  void largeRunWithDefaultDrainSettingsFailsNoRequest() throws Exception {
    UndertowHttp2Race.Outcome o = UndertowHttp2Race.run(
        UndertowHttp2Race.drainEveryFiveRequests().build(), true, REQUESTS, THREADS);
    System.out.println("undertow h2 race, defaults: " + o);

    assertThat(o.failed).as(o.toString()).isZero();
    assertThat(o.ok).isEqualTo(REQUESTS);
    assertThat(o.served).isEqualTo(REQUESTS);
    // Every connection registered once, and every one drained but those still in use when the
    // run ended: OkHttp opens a connection only when it has none to use, so at most one per
    // thread is left undrained. (OkHttp multiplexes the threads on one connection, which carries
    // requests past its cap until the client has read the first GOAWAY, so the number of drains
    // depends on the client's timing, not only on the cap.)
    assertThat(o.opened).as("connections registered").isEqualTo(o.connections);
    assertThat(o.connections).as("connections used").isGreaterThan(1);
    assertThat(o.drained).as("drains in the run").isGreaterThanOrEqualTo(o.opened - THREADS)
        .isPositive();
    assertThat(o.forced).isZero();
  }
}
