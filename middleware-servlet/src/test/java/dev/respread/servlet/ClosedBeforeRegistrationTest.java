package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A connection that closes before the filter registers it (the filter runs on a worker thread,
 * after the client may have gone) is reported closed at once: a close listener added too late
 * never runs, and the engine would otherwise track the connection forever. A filter in front of
 * respread's closes the connection to make that happen every time.
 */
class ClosedBeforeRegistrationTest {
  enum Server {
    /** Counting in the filter only (the I/O-thread handler would register first). */
    UNDERTOW {
      @Override
      Container.Running start(ServletContainerInitializer sci, TestServlet app)
          throws Exception {
        return Container.undertow((classes, ctx) -> {
          sci.onStartup(classes, ctx);
          ctx.removeAttribute("dev.respread.servlet.internal.UndertowConnections");
        }, app);
      }

      @Override
      void closeConnection(jakarta.servlet.ServletRequest request) throws Exception {
        io.undertow.servlet.handlers.ServletRequestContext.current().getExchange()
            .getConnection().close();
      }
    },
    JETTY {
      @Override
      Container.Running start(ServletContainerInitializer sci, TestServlet app)
          throws Exception {
        return Container.jetty(Container.jettyContext("/", sci, app));
      }

      @Override
      void closeConnection(jakarta.servlet.ServletRequest request) {
        ServletContextRequest.getServletContextRequest(request).getConnectionMetaData()
            .getConnection().getEndPoint().close();
      }
    };

    abstract Container.Running start(ServletContainerInitializer sci, TestServlet app)
        throws Exception;

    abstract void closeConnection(jakarta.servlet.ServletRequest request) throws Exception;
  }

  private final Fixture fixture = new Fixture();

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  @ParameterizedTest
  @EnumSource(Server.class)
  void connectionClosedBeforeTheFilterRegistersItIsNotTrackedAfterwards(Server container)
      throws Exception {
    Recycling recycling = fixture.recycling = Recycling.fastRecycling();
    AtomicInteger trackedWhenClosed = new AtomicInteger(-1);
    Filter closer = (request, response, chain) -> {
      trackedWhenClosed.set(recycling.recycler.openConnections());
      try {
        container.closeConnection(request);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      chain.doFilter(request, response);
    };
    TestServlet app = new TestServlet();
    Container.Running server = fixture.server = container.start((classes, ctx) -> {
      // Both containers run filters in the order their mappings were added.
      FilterRegistration.Dynamic r = ctx.addFilter("closer", closer);
      r.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
      RecyclingServletFilter.register(ctx, recycling.recycler);
    }, app);

    try (Socket socket = new Socket("127.0.0.1", server.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      try {
        in.readAllBytes();
      } catch (java.io.IOException reset) {
        // The server closed the connection: a reset ends it too.
      }
    }

    // The request goes on through respread's filter to the servlet after the close.
    recycling.awaitNoOpenConnections(() -> app.served.get() > 0);
    assertThat(trackedWhenClosed.get()).as("tracked when the closer ran: before respread")
        .isZero();
    assertThat(app.served.get()).as("requests through the filters").isEqualTo(1);
    assertThat(recycling.opened()).as("registered").isEqualTo(1);
    assertThat(recycling.recycler.openConnections()).as("still tracked").isZero();
  }
}
