package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.RecyclingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A client that sends a request and never reads its response, which is far larger than the
 * socket buffers. The servlet blocks in its write, inside the filter, so the request is still in
 * flight when the grace after the shutdown drain runs out: it is counted as forced, and
 * {@code shutdown()} completes.
 */
class ClientThatNeverReadsTest {
  /** Several times what the kernel buffers on both sides of a loopback connection. */
  private static final int RESPONSE_KIB = 16 << 10;
  /** The client's receive buffer, as small as the kernel allows. */
  private static final int RECEIVE_BUFFER = 4096;

  private final Fixture fixture = new Fixture();
  private final TestServlet app = new TestServlet();

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  /** Drains only at shutdown, at once, with a short grace. */
  private static RecyclingConfig shutdownOnly() {
    return Recycling.fast().maxRequestsPerConnection(0).maxConnectionAge(Duration.ofHours(1))
        .maxConnectionAgeGrace(Duration.ofMillis(500)).shutdownDelay(Duration.ZERO).build();
  }

  /** Sends a GET for the large response, and returns once the servlet has started writing it. */
  private Socket requestAndNeverRead(Container.Running server) throws Exception {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(RECEIVE_BUFFER);
    socket.connect(new InetSocketAddress("127.0.0.1", server.port));
    socket.setSoTimeout(30_000);
    socket.getOutputStream().write(("GET /big?kb=" + RESPONSE_KIB + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 200 && app.served.get() == 0; i++) {
      Thread.sleep(50);
    }
    assertThat(app.served.get()).as("responses started").isEqualTo(1);
    return socket;
  }

  /** Reads what reached the client until the server's close. */
  private static long readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        total += n;
      }
    } catch (SocketException reset) {
      // A hard close may reset the connection; either way the server closed it.
    }
    return total;
  }

  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void responseTheClientNeverReadsIsClosedHardAfterTheGraceAndShutdownCompletes(
      Container container) throws Exception {
    Container.Running server = fixture.start(container, shutdownOnly(), app);
    Recycling recycling = fixture.recycling;
    try (Socket socket = requestAndNeverRead(server)) {

      recycling.recycler.shutdown().get(30, TimeUnit.SECONDS);

      assertThat(recycling.forced()).as("connections closed hard after the grace").isEqualTo(1);
      assertThat(recycling.recycler.openConnections()).isZero();
      assertThat(readUntilClosed(socket)).as("bytes that reached the client")
          .isLessThan(RESPONSE_KIB * 1024L);
    }
  }

  /**
   * The servlet API cannot close a socket, so on Tomcat the stalled response runs on after the
   * grace; it is still counted as forced, and shutdown completes once the connection is gone
   * (here the client gives up; otherwise Tomcat's own write timeout ends it).
   */
  @Test
  void onTomcatTheStalledResponseIsCountedForcedAndShutdownCompletesOnceTheConnectionIsGone()
      throws Exception {
    Recycling recycling = fixture.recycling = Recycling.start(shutdownOnly());
    Container.Running server = fixture.server = Container.tomcat((classes, ctx) ->
        RecyclingServletFilter.builder(recycling.recycler).idleTimeout(Duration.ofMillis(300))
            .build().register(ctx), app, false);
    CompletableFuture<Void> shutdown;
    try (Socket socket = requestAndNeverRead(server)) {
      shutdown = recycling.recycler.shutdown();
      for (int i = 0; i < 300 && recycling.forced() == 0; i++) {
        Thread.sleep(50);
      }
      assertThat(recycling.forced()).as("connections past the grace").isEqualTo(1);
    }

    shutdown.get(30, TimeUnit.SECONDS);

    assertThat(recycling.recycler.openConnections()).isZero();
  }
}
