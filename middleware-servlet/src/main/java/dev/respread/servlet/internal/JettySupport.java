package dev.respread.servlet.internal;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Duration;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.Connection;

/**
 * Jetty 12 (ee10). Connections are keyed by Jetty's {@link Connection}, which lives as long as
 * the TCP connection for both HTTP/1.1 and HTTP/2. HTTP/2 drains through
 * {@code HTTP2Session.shutdown()}, Jetty's own graceful two-phase GOAWAY, which waits for the
 * streams in flight. Jetty drops {@code Connection: close} on HTTP/2 responses, so HTTP/2 never
 * uses it.
 */
public final class JettySupport extends ServletLevelSupport {

  public JettySupport(ConnectionRecycler recycler) {
    super(recycler);
  }

  @Override
  Object keyOf(HttpServletRequest request) {
    ServletContextRequest r = ServletContextRequest.getServletContextRequest(request);
    return r == null ? null : r.getConnectionMetaData().getConnection();
  }

  @Override
  CountedConnection newConnection(Object key, HttpServletRequest request, Runnable onClosed) {
    Connection connection = (Connection) key;
    JettyConnection c = new JettyConnection(connection);
    c.attach(recycler.register(c, c.protocol));
    connection.addEventListener(new Connection.Listener() {
      @Override
      public void onClosed(Connection closed) {
        c.tracked().closed();
        onClosed.run();
      }
    });
    return c;
  }

  private static final class JettyConnection extends CountedConnection {
    private final Connection connection;

    JettyConnection(Connection connection) {
      super(connection instanceof HTTP2Connection ? Protocol.HTTP_2 : Protocol.HTTP_1_1);
      this.connection = connection;
    }

    @Override
    public void drain(RecycleReason reason, Duration grace) {
      if (connection instanceof HTTP2Connection) {
        // Non-blocking: GOAWAY(2^31-1), then GOAWAY(last stream) and a close once the streams
        // in flight are done. The engine closes the connection hard when the grace runs out.
        ((HTTP2Connection) connection).getSession().shutdown();
      }
    }

    @Override
    public void forceClose() {
      connection.getEndPoint().close();
    }
  }
}
