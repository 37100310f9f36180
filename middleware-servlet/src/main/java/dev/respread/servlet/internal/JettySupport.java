package dev.respread.servlet.internal;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import java.util.concurrent.ConcurrentMap;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.Connection;

/**
 * Jetty 12 (ee10). Connections are keyed by Jetty's {@link Connection}, which lives as long as
 * the TCP connection for both HTTP/1.1 and HTTP/2. HTTP/2 drains through
 * {@code HTTP2Session.shutdown()}, Jetty's own graceful two-phase GOAWAY, which waits for the
 * streams in flight. Jetty drops {@code Connection: close} on HTTP/2 responses, so HTTP/2 never
 * uses it.
 *
 * <p>Jetty's HTTP/2 jars are optional: a server that speaks HTTP/1.1 only need not have them, so
 * every reference to an HTTP/2 class lives in {@link Http2}, which is loaded only when
 * {@link #HTTP2_PRESENT}.
 */
public final class JettySupport extends ServletLevelSupport {
  private static final PerRecycler<ConcurrentMap<Object, CountedConnection>> CONNECTIONS =
      new PerRecycler<>(ServletLevelSupport::newConnectionMap);
  private static final String HTTP2_CONNECTION = "org.eclipse.jetty.http2.HTTP2Connection";
  /** Whether {@code jetty-http2-common} is visible to this class, checked once. */
  static final boolean HTTP2_PRESENT = isPresent(HTTP2_CONNECTION);

  public JettySupport(ConnectionRecycler recycler) {
    super(recycler, CONNECTIONS.of(recycler));
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
    ServletContextRequest r = ServletContextRequest.getServletContextRequest(request);
    return r == null ? null : r.getConnectionMetaData().getConnection();
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
