package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.internal.RecyclerMetrics;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tomcat tells a filter nothing when a client closes an idle connection, so the filter takes a
 * connection without a request for {@code idleTimeout} as closed, and reports it to the engine.
 */
class TomcatIdleConnectionTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofMillis(300);

  private final Fixture fixture = new Fixture();
  private Recycling recycling;

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private long closedConnections() {
    return recycling.registry.find(RecyclerMetrics.CONNECTION_LIFETIME).timers().stream()
        .mapToLong(t -> t.count()).sum();
  }

  @Test
  void connectionIdleLongerThanTheIdleTimeoutIsReportedClosed() throws Exception {
    recycling = fixture.recycling = Recycling.start(Recycling.fast()
        .maxRequestsPerConnection(0).maxConnectionAge(Duration.ofHours(1)).build());
    Container.Running server = fixture.server = Container.tomcat((classes, ctx) ->
        RecyclingServletFilter.builder(recycling.recycler).idleTimeout(IDLE_TIMEOUT).build()
            .register(ctx), new TestServlet(), false);

    Clients.jdkHttp11(server.url("/hello"), 1, 1).assertNoFailures(1);
    assertThat(recycling.recycler.openConnections()).isEqualTo(1);
    assertThat(closedConnections()).isZero();
    Thread.sleep(IDLE_TIMEOUT.multipliedBy(2).toMillis());
    // Any request runs the check; this one comes on a new connection from a new client.
    Clients.jdkHttp11(server.url("/hello"), 1, 1).assertNoFailures(1);

    assertThat(closedConnections()).as("connections reported closed").isEqualTo(1);
    assertThat(recycling.recycler.openConnections()).isEqualTo(1);
  }
}
