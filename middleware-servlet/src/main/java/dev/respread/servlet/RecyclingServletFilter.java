package dev.respread.servlet;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.servlet.internal.ContainerSupport;
import dev.respread.servlet.internal.GenericSupport;
import dev.respread.servlet.internal.JettySupport;
import dev.respread.servlet.internal.UndertowSupport;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;

/**
 * A servlet filter that ends long-lived connections gracefully, so that a Kubernetes Service
 * spreads them again. The {@link ConnectionRecycler} decides when; the filter carries it out for
 * the container it runs in:
 * <ul>
 *   <li><b>HTTP/1.1</b>, every container: {@code Connection: close} on the next response that is
 *       not committed yet (RFC 9112 §9.6). An idle connection is never closed out of band.
 *   <li><b>HTTP/2 on Undertow</b>: GOAWAY(2^31-1), then, once the connection's requests are done,
 *       Undertow's GOAWAY and close. Requests are counted on the I/O thread by a handler that this
 *       library's Undertow {@code ServletExtension} installs, so no stream is cut off.
 *   <li><b>HTTP/2 on Jetty 12</b> (ee10 on 12.0, ee11 on 12.1): the HTTP/2 session's graceful
 *       shutdown.
 *   <li><b>HTTP/2 on Tomcat and other containers</b>: not recycled; logged once at start-up.
 * </ul>
 *
 * <p>Register it in one line, from a {@code ServletContainerInitializer}, a
 * {@code ServletContextListener} or the embedded server's set-up:
 *
 * <pre>{@code
 * RecyclingServletFilter.register(servletContext, ConnectionRecycler.fromEnvironment());
 * }</pre>
 *
 * <p>or declare it in {@code web.xml} with its no-argument constructor, which reads the
 * {@code RESPREAD_*} environment. Turn recycling off with {@code RESPREAD_ENABLED=false}.
 *
 * <p>Use one recycler per server: the filters (and {@link RecyclingUndertowHandler}s) built on one
 * recycler share its connections, so a connection that serves several deployments or contexts is
 * registered and drained once.
 */
public final class RecyclingServletFilter implements Filter {
  /** The name {@link #register(ServletContext, ConnectionRecycler)} registers the filter under. */
  public static final String NAME = "respread";
  /** The default of {@link Builder#idleTimeout(Duration)}. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(65);

  private final ConnectionRecycler recycler;
  private final boolean ownsRecycler;
  private final Duration idleTimeout;
  private volatile ContainerSupport support;

  /**
   * A filter with a recycler read from the environment, which it closes in {@link #destroy()}.
   * For {@code web.xml}.
   *
   * @throws dev.respread.InvalidConfigurationException naming every bad variable
   */
  public RecyclingServletFilter() {
    this(ConnectionRecycler.fromEnvironment(), true, DEFAULT_IDLE_TIMEOUT);
  }

  /** A filter that executes {@code recycler}'s drains; the caller keeps owning the recycler. */
  public RecyclingServletFilter(ConnectionRecycler recycler) {
    this(recycler, false, DEFAULT_IDLE_TIMEOUT);
  }

  private RecyclingServletFilter(ConnectionRecycler recycler, boolean ownsRecycler,
      Duration idleTimeout) {
    this.recycler = requireNonNull(recycler, "recycler");
    this.ownsRecycler = ownsRecycler;
    this.idleTimeout = idleTimeout;
  }

  /** A builder, for settings beyond the recycler's. */
  public static Builder builder(ConnectionRecycler recycler) {
    return new Builder(recycler);
  }

  /**
   * Adds a filter for {@code recycler} to {@code context}, named {@value #NAME}, on {@code /*}
   * for requests, async-supported.
   */
  public static FilterRegistration.Dynamic register(ServletContext context,
      ConnectionRecycler recycler) {
    return new RecyclingServletFilter(recycler).register(context);
  }

  /**
   * Adds this filter to {@code context}, as {@link #register(ServletContext, ConnectionRecycler)}
   * does.
   */
  public FilterRegistration.Dynamic register(ServletContext context) {
    requireNonNull(context, "context");
    // Prepare now rather than in init(): containers may initialise filters lazily, and on
    // Undertow the I/O-thread handler should count a deployment's first requests too.
    prepare(context);
    FilterRegistration.Dynamic registration = context.addFilter(NAME, this);
    if (registration == null) {
      throw new IllegalStateException("a filter named \"" + NAME + "\" is already registered");
    }
    registration.setAsyncSupported(true);
    registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/*");
    return registration;
  }

  @Override
  public void init(FilterConfig filterConfig) {
    prepare(filterConfig.getServletContext());
  }

  private synchronized void prepare(ServletContext context) {
    if (support == null) {
      support = supportFor(context);
    }
  }

  /**
   * Picks the container's support by the class of its servlet context, so that a container's
   * classes are loaded only when that container runs the filter.
   */
  private ContainerSupport supportFor(ServletContext context) {
    String type = context.getClass().getName();
    if (type.startsWith("io.undertow.")) {
      return new UndertowSupport(recycler, context);
    }
    if (type.startsWith(JettySupport.EE10) || type.startsWith(JettySupport.EE11)) {
      return new JettySupport(recycler, context);
    }
    return new GenericSupport(recycler, idleTimeout, context.getServerInfo());
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    ContainerSupport s = support;
    if (s == null || !(request instanceof HttpServletRequest)
        || !(response instanceof HttpServletResponse)) {
      chain.doFilter(request, response);
      return;
    }
    s.doFilter((HttpServletRequest) request, (HttpServletResponse) response, chain);
  }

  @Override
  public void destroy() {
    ContainerSupport s = support;
    if (s != null) {
      s.close();
    }
    if (ownsRecycler) {
      recycler.close();
    }
  }

  /** A builder of {@link RecyclingServletFilter}. */
  public static final class Builder {
    private final ConnectionRecycler recycler;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;

    private Builder(ConnectionRecycler recycler) {
      this.recycler = requireNonNull(recycler, "recycler");
    }

    /**
     * On containers without a connection-close event (Tomcat and others that are neither
     * Undertow nor Jetty), how long a connection may go without a request before it is taken as
     * closed by the client. Set it a little above the container's keep-alive timeout. Default
     * {@link #DEFAULT_IDLE_TIMEOUT}; not used on Undertow and Jetty.
     */
    public Builder idleTimeout(Duration idleTimeout) {
      requireNonNull(idleTimeout, "idleTimeout");
      if (idleTimeout.isNegative() || idleTimeout.isZero()) {
        throw new IllegalArgumentException(
            String.format("idleTimeout: %s (expected: > 0)", idleTimeout));
      }
      this.idleTimeout = idleTimeout;
      return this;
    }

    /** A filter that executes the recycler's drains; the caller keeps owning the recycler. */
    public RecyclingServletFilter build() {
      return new RecyclingServletFilter(recycler, false, idleTimeout);
    }
  }
}
