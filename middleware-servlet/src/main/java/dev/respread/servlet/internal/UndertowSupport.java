package dev.respread.servlet.internal;

import dev.respread.ConnectionRecycler;
import io.undertow.server.HandlerWrapper;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.servlet.ServletExtension;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.handlers.ServletRequestContext;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * Undertow servlets. Requests are counted by {@link UndertowConnections}, preferably on the I/O
 * thread by the handler that {@link Extension} puts in front of the deployment, which closes the
 * HTTP/2 drain race; a request that the handler missed (the filter was not registered yet) is
 * counted here, on the worker thread.
 */
public final class UndertowSupport implements ContainerSupport {
  /** The servlet context attribute through which the deployment's handler finds the filter's. */
  static final String ATTRIBUTE = UndertowConnections.class.getName();

  private final UndertowConnections connections;

  public UndertowSupport(ConnectionRecycler recycler, ServletContext context) {
    this.connections = UndertowConnections.of(recycler);
    context.setAttribute(ATTRIBUTE, connections);
  }

  @Override
  public void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    ServletRequestContext current = ServletRequestContext.current();
    if (current != null) {
      connections.onRequest(current.getExchange());
    }
    chain.doFilter(request, response);
  }

  /**
   * Undertow's {@link ServletExtension}, found through {@code META-INF/services}: puts a handler
   * in front of every deployment that counts requests on the I/O thread, for a
   * {@code RecyclingServletFilter} registered in that deployment. Deployments without the filter
   * pay one attribute lookup per request.
   */
  public static final class Extension implements ServletExtension {
    @Override
    public void handleDeployment(DeploymentInfo deploymentInfo, ServletContext servletContext) {
      deploymentInfo.addInitialHandlerChainWrapper(new DeploymentWrapper(servletContext));
    }
  }

  private static final class DeploymentWrapper implements HandlerWrapper {
    private final ServletContext context;

    DeploymentWrapper(ServletContext context) {
      this.context = context;
    }

    @Override
    public HttpHandler wrap(HttpHandler next) {
      return new HttpHandler() {
        private volatile UndertowConnections connections;

        @Override
        public void handleRequest(HttpServerExchange exchange) throws Exception {
          UndertowConnections c = connections;
          if (c == null) {
            c = (UndertowConnections) context.getAttribute(ATTRIBUTE);
            connections = c;
          }
          if (c != null) {
            c.onRequest(exchange);
          }
          next.handleRequest(exchange);
        }
      };
    }
  }
}
