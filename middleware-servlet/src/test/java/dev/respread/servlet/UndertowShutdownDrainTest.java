package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.ServletContainerInitializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * After {@code recycler.shutdown()} the engine drains a new connection inside
 * {@code register()}, before the adapter has attached it. On Undertow HTTP/2 the drain's final
 * GOAWAY then waits for the attach, which starts it: each connection answers its request and
 * closes gracefully long before the grace (30 s) would force it.
 */
class UndertowShutdownDrainTest {
  private static final int CONNECTIONS = 5;

  private final Fixture fixture = new Fixture();

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  /**
   * With {@code ioThreadCounting=false} connections are registered by the filter on a worker
   * thread, so the I/O thread may run the drain's first phase before the attach.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void connectionOpenedAfterShutdownAnswersItsRequestAndClosesGracefully(
      boolean ioThreadCounting) throws Exception {
    Recycling recycling = fixture.recycling = Recycling.start(Recycling.fast().maxRequestsPerConnection(0)
        .maxConnectionAge(Duration.ofHours(1)).shutdownDelay(Duration.ZERO)
        .goAwayPingTimeout(Duration.ofMillis(100)).build());
    ServletContainerInitializer sci = (classes, ctx) -> {
      RecyclingServletFilter.register(ctx, recycling.recycler);
      if (!ioThreadCounting) {
        ctx.removeAttribute("dev.respread.servlet.internal.UndertowConnections");
      }
    };
    Container.Running server = fixture.server = Container.undertow(sci, new TestServlet());
    recycling.recycler.shutdown().get(30, TimeUnit.SECONDS);

    // Each client keeps its connection pooled (one minute) until the end of the test: only the
    // server's drain closes it in the meantime.
    List<OkHttpClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        OkHttpClient client = Clients.okHttpH2PriorKnowledge(new AtomicInteger());
        clients.add(client);
        try (Response response = client.newCall(new Request.Builder()
            .url(server.url("/hello")).build()).execute()) {
          assertThat(response.code()).isEqualTo(200);
        }
      }

      recycling.awaitNoOpenConnections(() -> true);
      assertThat(recycling.recycler.openConnections()).as("connections still open").isZero();
    } finally {
      clients.forEach(c -> c.connectionPool().evictAll());
    }
    assertThat(recycling.opened()).isEqualTo(CONNECTIONS);
    assertThat(recycling.drained("h2")).isEqualTo(CONNECTIONS);
    assertThat(recycling.forced()).isZero();
  }
}
