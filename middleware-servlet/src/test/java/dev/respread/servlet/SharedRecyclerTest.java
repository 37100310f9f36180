package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import io.undertow.Handlers;
import io.undertow.server.handlers.PathHandler;
import io.undertow.servlet.api.DeploymentManager;
import jakarta.servlet.Servlet;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One recycler behind two applications of one server (two deployments or contexts, or a
 * handler in front of filtered deployments): requests alternate between {@code /a} and
 * {@code /b} on the same connections, and each connection is registered, and drained, once.
 * Tracked twice, the first entry to drain would end the connection under the other's requests
 * (failures), and the opens would be counted twice.
 */
class SharedRecyclerTest {
  enum Shape {
    UNDERTOW_TWO_DEPLOYMENTS(true) {
      @Override
      Container.Running start(ConnectionRecycler recycler, Servlet servlet) throws Exception {
        DeploymentManager[] ab = deployments(recycler, servlet);
        return Container.undertow(paths(ab), ab);
      }
    },
    UNDERTOW_HANDLER_IN_FRONT_OF_TWO_FILTERED_DEPLOYMENTS(true) {
      @Override
      Container.Running start(ConnectionRecycler recycler, Servlet servlet) throws Exception {
        DeploymentManager[] ab = deployments(recycler, servlet);
        return Container.undertow(new RecyclingUndertowHandler(recycler, paths(ab)), ab);
      }
    },
    JETTY_TWO_CONTEXTS(true) {
      @Override
      Container.Running start(ConnectionRecycler recycler, Servlet servlet) throws Exception {
        return Container.jetty(new ContextHandlerCollection(
            Container.jettyContext("/a", Container.initializer(recycler), servlet),
            Container.jettyContext("/b", Container.initializer(recycler), servlet)));
      }
    },
    TOMCAT_TWO_CONTEXTS(false) {
      @Override
      Container.Running start(ConnectionRecycler recycler, Servlet servlet) throws Exception {
        return Container.tomcat(Container.initializer(recycler), servlet, false, "/a", "/b");
      }
    };

    final boolean http2;

    Shape(boolean http2) {
      this.http2 = http2;
    }

    abstract Container.Running start(ConnectionRecycler recycler, Servlet servlet)
        throws Exception;

    /** Deployments on {@code /a} and {@code /b}, each registering the filter. */
    private static DeploymentManager[] deployments(ConnectionRecycler recycler,
        Servlet servlet) {
      return new DeploymentManager[] {
          Container.undertowDeployment("/a", Container.initializer(recycler), servlet),
          Container.undertowDeployment("/b", Container.initializer(recycler), servlet)};
    }

    private static PathHandler paths(DeploymentManager[] ab) throws Exception {
      return Handlers.path().addPrefixPath("/a", ab[0].start())
          .addPrefixPath("/b", ab[1].start());
    }
  }

  private final TestServlet app = new TestServlet();
  private final Fixture fixture = new Fixture();
  private Recycling recycling;

  private Container.Running start(Shape shape, RecyclingConfig config) throws Exception {
    recycling = fixture.recycling = Recycling.start(config);
    return fixture.server = shape.start(recycling.recycler, app);
  }

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private static String aOrB(Container.Running s, int i) {
    return s.url(i % 2 == 0 ? "/a/hello" : "/b/hello");
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void http11ConnectionServingBothAppsIsRegisteredOnceAndRecycledWithoutFailures(Shape shape)
      throws Exception {
    Container.Running s = start(shape, Recycling.fast().build());

    Clients.Result r = Clients.jdkHttp11(i -> aOrB(s, i), 4, 400);

    r.assertNoFailures(400);
    assertThat(app.served.get()).isEqualTo(400);
    // Every connection the server saw carried at least one answered request, whose body names
    // the client port: the distinct ports are the real connections.
    assertThat(recycling.opened()).as("connections registered").isEqualTo(r.ports.size());
    recycling.assertRecycled("http/1.1", r.ports.size());
  }

  /** A cap of 50 for Jetty's REFUSED_STREAM retries, as in {@link ContainerRecyclingTest}. */
  @ParameterizedTest
  @EnumSource(value = Shape.class, names = "TOMCAT_TWO_CONTEXTS",
      mode = EnumSource.Mode.EXCLUDE)
  void http2ConnectionServingBothAppsIsRegisteredOnceAndRecycledWithoutFailures(Shape shape)
      throws Exception {
    Container.Running s = start(shape, Recycling.fast().maxRequestsPerConnection(50).build());

    Clients.Result r = Clients.okHttpH2(i -> aOrB(s, i), 8, 1000);

    r.assertNoFailures(1000);
    r.assertServedOnceEach(app.served.get(), 1000);
    assertThat(recycling.opened()).as("connections registered").isEqualTo(r.used.size());
    recycling.assertRecycled("h2", r.used.size());
    assertThat(recycling.forced()).isZero();
  }
}
