package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import dev.respread.internal.RecyclerMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Tomcat tells a filter nothing when a client closes an idle connection, so the filter takes a
 * connection without a request for {@code idleTimeout} as closed, and reports it to the engine.
 * It looks for such connections on the recycler's thread, not on the request path: after the
 * last request nothing else would ever report them.
 */
class TomcatIdleConnectionTest {
  private static final Duration IDLE_TIMEOUT = Duration.ofMillis(300);

  private final Fixture fixture = new Fixture();
  private Recycling recycling;
  private Container.Running server;

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  /** Tomcat with the filter's {@link #IDLE_TIMEOUT}, and a recycler that drains only at shutdown. */
  private void start(Duration grace) throws Exception {
    recycling = fixture.recycling = Recycling.start(Recycling.fast()
        .maxRequestsPerConnection(0).maxConnectionAge(Duration.ofHours(1))
        .maxConnectionAgeGrace(grace).shutdownDelay(Duration.ZERO).build());
    server = fixture.server = Container.tomcat((classes, ctx) ->
        RecyclingServletFilter.builder(recycling.recycler).idleTimeout(IDLE_TIMEOUT).build()
            .register(ctx), new TestServlet(), false);
  }

  private long closedConnections() {
    return recycling.registry.find(RecyclerMetrics.CONNECTION_LIFETIME).timers().stream()
        .mapToLong(t -> t.count()).sum();
  }

  @Test
  void connectionIdleLongerThanTheIdleTimeoutIsReportedClosedWithoutAnotherRequest()
      throws Exception {
    start(Duration.ofHours(1));

    Clients.jdkHttp11(server.url("/hello"), 1, 1).assertNoFailures(1);
    assertThat(recycling.recycler.openConnections()).isEqualTo(1);

    recycling.awaitNoOpenConnections(() -> true);
    assertThat(recycling.recycler.openConnections()).as("connections still open").isZero();
    assertThat(closedConnections()).as("connections reported closed").isEqualTo(1);
  }

  @Test
  void shutdownCompletesOnceTheLastKeepAliveConnectionIsIdle() throws Exception {
    start(Duration.ofMillis(500));
    Clients.jdkHttp11(server.url("/hello"), 1, 1).assertNoFailures(1);
    assertThat(recycling.recycler.openConnections()).isEqualTo(1);

    // No request follows: the idle connection is reported closed by the sweep alone.
    recycling.recycler.shutdown().get(30, TimeUnit.SECONDS);

    assertThat(recycling.recycler.openConnections()).isZero();
    assertThat(closedConnections()).as("connections reported closed").isEqualTo(1);
    assertThat(recycling.forced()).as("connections closed hard").isZero();
  }

  @Test
  void stoppingTheContainerDestroysTheFilterAndRemovesItsSweepFromTheRecyclersThread()
      throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    scheduler.setRemoveOnCancelPolicy(true);
    try (ConnectionRecycler recycler = ConnectionRecycler.builder(RecyclingConfig.builder()
        .build()).meterRegistry(new SimpleMeterRegistry()).scheduler(scheduler).build()) {
      int rulesOnly = scheduler.getQueue().size();
      Container.Running tomcat = Container.tomcat(Container.initializer(recycler),
          new TestServlet(), false);
      assertThat(scheduler.getQueue()).as("tasks while the filter runs").hasSize(rulesOnly + 1);

      tomcat.close();

      assertThat(scheduler.getQueue()).as("tasks after the filter is destroyed")
          .hasSize(rulesOnly);
    } finally {
      scheduler.shutdownNow();
    }
  }
}
