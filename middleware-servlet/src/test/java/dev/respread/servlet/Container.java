package dev.respread.servlet;

import dev.respread.ConnectionRecycler;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.InstanceFactory;
import io.undertow.servlet.api.ServletContainerInitializerInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The servlet containers under test, each started on 127.0.0.1 port 0 with one servlet on
 * {@code /*} and the filter registered in one line from a {@link ServletContainerInitializer}.
 */
enum Container {
  UNDERTOW {
    @Override
    Running start(ConnectionRecycler recycler, Servlet servlet) throws Exception {
      return undertow(initializer(recycler), servlet);
    }
  },
  JETTY {
    @Override
    Running start(ConnectionRecycler recycler, Servlet servlet) throws Exception {
      return jetty(jettyContext("/", initializer(recycler), servlet));
    }
  },
  TOMCAT {
    @Override
    Running start(ConnectionRecycler recycler, Servlet servlet) throws Exception {
      return tomcat(initializer(recycler), servlet, false);
    }
  };

  /**
   * Undertow with HTTP/2 (h2c upgrade and prior knowledge), {@code servlet} on {@code /*}, and
   * {@code initializer} run at deployment, or no initializer when it is {@code null}.
   */
  static Running undertow(ServletContainerInitializer initializer, Servlet servlet)
      throws Exception {
    DeploymentManager manager = undertowDeployment("/", initializer, servlet);
    return undertow(manager.start(), manager);
  }

  /** A deployed (not started) Undertow servlet deployment on {@code contextPath}. */
  static DeploymentManager undertowDeployment(String contextPath,
      ServletContainerInitializer initializer, Servlet servlet) {
    DeploymentInfo info = Servlets.deployment()
        .setClassLoader(Container.class.getClassLoader())
        .setContextPath(contextPath)
        .setDeploymentName("respread-test" + contextPath)
        .addServlet(Servlets.servlet("app", servlet.getClass(), factory(servlet))
            .addMapping("/*").setAsyncSupported(true));
    if (initializer != null) {
      info.addServletContainerInitializer(new ServletContainerInitializerInfo(
          ServletContainerInitializer.class, factory(initializer), null));
    }
    DeploymentManager manager = Servlets.defaultContainer().addDeployment(info);
    manager.deploy();
    return manager;
  }

  /** Undertow with HTTP/2 and {@code handler}; stopping it stops {@code deployments}. */
  static Running undertow(HttpHandler handler, DeploymentManager... deployments) {
    Undertow server = Undertow.builder()
        .addHttpListener(0, "127.0.0.1")
        .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
        .setHandler(handler)
        .build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    return new Running(port, () -> {
      server.stop();
      for (DeploymentManager manager : deployments) {
        manager.stop();
        manager.undeploy();
      }
    });
  }

  /** A Jetty ee10 context on {@code contextPath} serving {@code servlet} on {@code /*}. */
  static ServletContextHandler jettyContext(String contextPath,
      ServletContainerInitializer initializer, Servlet servlet) {
    ServletContextHandler context = new ServletContextHandler(contextPath);
    ServletHolder holder = new ServletHolder(servlet);
    holder.setAsyncSupported(true);
    context.addServlet(holder, "/*");
    context.addServletContainerInitializer(initializer);
    return context;
  }

  /** Jetty 12 with HTTP/1.1 and h2c (prior knowledge and upgrade) in front of {@code handler}. */
  static Running jetty(Handler handler) throws Exception {
    Server server = new Server();
    HttpConfiguration config = new HttpConfiguration();
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(config),
        new HTTP2CServerConnectionFactory(config));
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
    return new Running(connector.getLocalPort(), server::stop);
  }

  /** Tomcat 10.1, with h2c (upgrade and prior knowledge) when {@code http2} is set. */
  static Running tomcat(ServletContainerInitializer initializer, Servlet servlet, boolean http2)
      throws Exception {
    return tomcat(initializer, servlet, http2, "");
  }

  /**
   * Tomcat 10.1 with one context per path in {@code contextPaths} ({@code ""} is the root), each
   * serving {@code servlet} and running {@code initializer}.
   */
  static Running tomcat(ServletContainerInitializer initializer, Servlet servlet, boolean http2,
      String... contextPaths) throws Exception {
    Tomcat tomcat = new Tomcat();
    Path baseDir = Files.createTempDirectory("respread-tomcat");
    // Tomcat may create its base directory again after it stopped; it is empty by then.
    baseDir.toFile().deleteOnExit();
    tomcat.setBaseDir(baseDir.toString());
    tomcat.setHostname("127.0.0.1");
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    tomcat.getConnector().setPort(0);
    if (http2) {
      tomcat.getConnector().addUpgradeProtocol(new org.apache.coyote.http2.Http2Protocol());
    }
    for (String path : contextPaths) {
      Context context = tomcat.addContext(path, null);
      org.apache.catalina.Wrapper wrapper = Tomcat.addServlet(context, "app", servlet);
      wrapper.setAsyncSupported(true);
      wrapper.addMapping("/*");
      context.addServletContainerInitializer(initializer, null);
    }
    tomcat.start();
    return new Running(tomcat.getConnector().getLocalPort(), () -> {
      try {
        tomcat.stop();
        tomcat.destroy();
      } finally {
        deleteTree(baseDir);
      }
    });
  }

  /** Deletes Tomcat's base directory, so that no test leaves one behind in the temp folder. */
  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  abstract Running start(ConnectionRecycler recycler, Servlet servlet) throws Exception;

  /** The one line a user writes. */
  static ServletContainerInitializer initializer(ConnectionRecycler recycler) {
    return (classes, ctx) -> RecyclingServletFilter.register(ctx, recycler);
  }

  private static <T> InstanceFactory<T> factory(T instance) {
    return new ImmediateInstanceFactory<>(instance);
  }

  /** A started server. */
  @SuppressWarnings("try") // close() may throw anything a server's stop() throws
  static final class Running implements AutoCloseable {
    final int port;
    private final Stopper stopper;

    Running(int port, Stopper stopper) {
      this.port = port;
      this.stopper = stopper;
    }

    String url(String path) {
      return "http://127.0.0.1:" + port + path;
    }

    @Override
    public void close() throws Exception {
      stopper.stop();
    }
  }

  interface Stopper {
    void stop() throws Exception;
  }
}
