package dev.respread.servlet.internal;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.concurrent.ConcurrentMap;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;

/**
 * Jetty 12.0 (ee10) and Jetty 12.1 (ee11, which Spring Boot 4 runs). Connections are keyed by
 * Jetty's {@link Connection}, which lives as long as
 * the TCP connection for both HTTP/1.1 and HTTP/2. HTTP/2 drains through
 * {@code HTTP2Session.shutdown()}, Jetty's own graceful two-phase GOAWAY, which waits for the
 * streams in flight. Jetty drops {@code Connection: close} on HTTP/2 responses, so HTTP/2 never
 * uses it.
 *
 * <p>Jetty's HTTP/2 jars are optional: a server that speaks HTTP/1.1 only need not have them, so
 * every reference to an HTTP/2 class lives in {@link Http2}, which is loaded only when
 * {@link #HTTP2_PRESENT}. Likewise only one of the ee10 and ee11 servlet layers is there, so each
 * is reached through its own class, {@link Ee10} or {@link Ee11}; the connection, its metadata
 * and HTTP/2 are Jetty's core, the same in both.
 */
public final class JettySupport extends ServletLevelSupport {
  private static final PerRecycler<ConcurrentMap<Object, CountedConnection>> CONNECTIONS =
      new PerRecycler<>(ServletLevelSupport::newConnectionMap);
  private static final String HTTP2_CONNECTION = "org.eclipse.jetty.http2.HTTP2Connection";
  /** Whether {@code jetty-http2-common} is visible to this class, checked once. */
  static final boolean HTTP2_PRESENT = isPresent(HTTP2_CONNECTION);

  /** The servlet layers this support runs on: their package prefixes. */
  public static final String EE10 = "org.eclipse.jetty.ee10.";
  public static final String EE11 = "org.eclipse.jetty.ee11.";

  private final ConnectionLookup lookup;

  /**
   * Support for the servlet layer that {@code context} belongs to, which must be ee10 or ee11
   * (its class name starts with {@link #EE10} or {@link #EE11}).
   */
  public JettySupport(ConnectionRecycler recycler, ServletContext context) {
    super(recycler, CONNECTIONS.of(recycler));
    this.lookup = context.getClass().getName().startsWith(EE11)
        ? new Ee11(context.getClass().getClassLoader()) : new Ee10();
  }

  private static boolean isPresent(String className) {
    try {
      Class.forName(className, false, JettySupport.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  @Override
  Object keyOf(HttpServletRequest request) {
    Request r = lookup.coreRequest(request);
    return r == null ? null : r.getConnectionMetaData().getConnection();
  }

  /** Finds the core request behind a servlet request, in one servlet layer. */
  private interface ConnectionLookup {
    /** The core request, or {@code null} if {@code request} is not Jetty's. */
    Request coreRequest(HttpServletRequest request);
  }

  /** Jetty 12.0's servlet layer, compiled against. */
  private static final class Ee10 implements ConnectionLookup {
    @Override
    public Request coreRequest(HttpServletRequest request) {
      return ServletContextRequest.getServletContextRequest(request);
    }
  }

  /**
   * Jetty 12.1's servlet layer: the same static method as ee10's in another package, looked up
   * once, from the class loader of the servlet context, and called without allocating.
   */
  private static final class Ee11 implements ConnectionLookup {
    private final MethodHandle servletContextRequest;

    Ee11(ClassLoader loader) {
      try {
        Class<?> type = Class.forName(EE11 + "servlet.ServletContextRequest", false, loader);
        servletContextRequest = MethodHandles.publicLookup()
            .findStatic(type, "getServletContextRequest",
                MethodType.methodType(type, ServletRequest.class))
            .asType(MethodType.methodType(Request.class, ServletRequest.class));
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("Jetty's ee11 ServletContextRequest not found", e);
      }
    }

    @Override
    public Request coreRequest(HttpServletRequest request) {
      try {
        return (Request) servletContextRequest.invokeExact((ServletRequest) request);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException(t);
      }
    }
  }

  @Override
  CountedConnection newConnection(Object key, HttpServletRequest request) {
    Connection connection = (Connection) key;
    JettyConnection c = new JettyConnection(connection);
    c.attach(recycler.register(c, c.protocol));
    connection.addEventListener(new Connection.Listener() {
      @Override
      public void onClosed(Connection closed) {
        gone(c);
      }
    });
    return c;
  }

  @Override
  boolean stillOpen(CountedConnection connection) {
    return ((JettyConnection) connection).connection.getEndPoint().isOpen();
  }

  private static final class JettyConnection extends CountedConnection {
    private final Connection connection;
    private final boolean http2;

    JettyConnection(Connection connection) {
      this(connection, HTTP2_PRESENT && Http2.isHttp2(connection));
    }

    private JettyConnection(Connection connection, boolean http2) {
      super(connection, http2 ? Protocol.HTTP_2 : Protocol.HTTP_1_1);
      this.connection = connection;
      this.http2 = http2;
    }

    @Override
    public void drain(RecycleReason reason, Duration grace) {
      if (http2) {
        Http2.shutdown(connection);
      }
    }

    @Override
    public void forceClose() {
      connection.getEndPoint().close();
    }
  }

  /** Jetty's HTTP/2 classes; loaded only when {@link #HTTP2_PRESENT}. */
  private static final class Http2 {
    private Http2() {
    }

    static boolean isHttp2(Connection connection) {
      return connection instanceof HTTP2Connection;
    }

    /**
     * Non-blocking: GOAWAY(2^31-1), then GOAWAY(last stream) and a close once the streams in
     * flight are done. The engine closes the connection hard when the grace runs out.
     */
    static void shutdown(Connection connection) {
      ((HTTP2Connection) connection).getSession().shutdown();
    }
  }
}
