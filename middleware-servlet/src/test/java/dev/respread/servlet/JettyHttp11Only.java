package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A Jetty 12 server that speaks HTTP/1.1 only, with the filter, under recycling load. Run by
 * {@link JettyWithoutHttp2Test} in a class loader without Jetty's HTTP/2 jars, so it must not
 * touch {@link Container} (whose Jetty set-up uses HTTP/2 classes).
 */
public final class JettyHttp11Only {
  private static final int REQUESTS = 200;

  private JettyHttp11Only() {
  }

  /** Serves {@value #REQUESTS} requests while recycling and asserts none failed. */
  public static void serveWhileRecycling() throws Exception {
    try (Recycling recycling = Recycling.fastRecycling()) {
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory());
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      TestServlet app = new TestServlet();
      context.addServlet(new ServletHolder(app), "/*");
      context.addServletContainerInitializer(
          (classes, ctx) -> RecyclingServletFilter.register(ctx, recycling.recycler));
      server.setHandler(context);
      server.start();
      try {
        Clients.Result r = Clients.jdkHttp11(
            "http://127.0.0.1:" + connector.getLocalPort() + "/hello", 4, REQUESTS);

        r.assertNoFailures(REQUESTS);
        assertThat(app.served.get()).isEqualTo(REQUESTS);
        recycling.assertRecycled("http/1.1", r.clientConnections());
      } finally {
        server.stop();
      }
    }
  }
}
