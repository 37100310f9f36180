package dev.respread.servlet.internal;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import jakarta.servlet.ServletConnection;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Future;

/**
 * Tomcat and any other servlet 6 container: HTTP/1.1 only, through {@code Connection: close}.
 *
 * <p>The servlet API has neither a connection object nor a close event, so a connection is keyed
 * by {@link ServletConnection#getConnectionId()} and reported closed (a) when a response carrying
 * {@code Connection: close} has been handed back to the container, which then closes it, or (b)
 * when it has been idle for {@code idleTimeout}, which should be a little longer than the
 * container's keep-alive timeout. A connection still open after (b) registers again on its next
 * request, with a fresh age.
 *
 * <p>Idle connections are looked for every half {@code idleTimeout} on the recycler's scheduler
 * thread ({@link ConnectionRecycler#runPeriodically}), from the support's creation until
 * {@link #close()}. Not on the request path: once traffic stops (after SIGTERM, say) no request
 * would ever run the sweep, the engine would keep idle connections open for ever, and
 * {@link ConnectionRecycler#shutdown()} would never complete. The support starts no thread of
 * its own, which a container would flag as a leak.
 *
 * <p>HTTP/2 requests pass through untouched: there is no portable way to send a GOAWAY, and
 * pretending would be worse than saying so (logged once, at start-up).
 *
 * <p>A request still running when the grace runs out cannot be cut off: the API offers no way to
 * close the socket. The engine still counts it as forced; the close follows its response.
 */
public final class GenericSupport extends ServletLevelSupport {
  private static final Logger logger = System.getLogger(GenericSupport.class.getName());
  private static final PerRecycler<ConcurrentMap<Object, CountedConnection>> CONNECTIONS =
      new PerRecycler<>(ServletLevelSupport::newConnectionMap);

  /**
   * The shortest pause between two sweeps: they share the recycler's one thread with its rules,
   * and a tiny {@code idleTimeout} must not keep that thread busy.
   */
  private static final Duration MIN_SWEEP_PERIOD = Duration.ofMillis(10);

  private final long idleTimeoutNanos;
  private final Future<?> sweeps;

  public GenericSupport(ConnectionRecycler recycler, Duration idleTimeout, String serverInfo) {
    super(recycler, CONNECTIONS.of(recycler));
    logger.log(Level.INFO, "respread on {0}: HTTP/1.1 connections are recycled with "
        + "\"Connection: close\"; HTTP/2 connections are NOT recycled, because the container "
        + "has no per-connection hook to send a GOAWAY. Bound HTTP/2 connection lifetimes with "
        + "the container''s own settings, or use Undertow or Jetty.", serverInfo);
    this.idleTimeoutNanos = idleTimeout.toNanos();
    // A connection is then reported closed between one and one and a half idleTimeouts after its
    // last request.
    Duration period = idleTimeout.dividedBy(2);
    this.sweeps = recycler.runPeriodically(this::sweep,
        period.compareTo(MIN_SWEEP_PERIOD) < 0 ? MIN_SWEEP_PERIOD : period);
  }

  @Override
  public void close() {
    sweeps.cancel(false);
  }

  @Override
  Object keyOf(HttpServletRequest request) {
    if (!request.getProtocol().startsWith("HTTP/1")) {
      return null;
    }
    return request.getServletConnection().getConnectionId();
  }

  @Override
  CountedConnection newConnection(Object key, HttpServletRequest request) {
    GenericConnection c = new GenericConnection(key);
    c.attach(recycler.register(c, Protocol.HTTP_1_1));
    return c;
  }

  /**
   * Runs on the recycler's thread while requests enter and leave the same entries, and while
   * other contexts' supports on this recycler sweep the same shared table.
   */
  private void sweep() {
    long now = System.nanoTime();
    for (CountedConnection c : connections()) {
      // Retired by CAS at zero requests in the filter, so only one sweep retires an entry and
      // never one in use: a request that looked this entry up just before finds it retired and
      // registers the connection again, rather than running on an entry the engine has been told
      // is closed (which would close the connection for nothing). gone() is idempotent, so a
      // closing response that ends at the same moment reports the close once.
      if (c.retireIfIdle(now, idleTimeoutNanos)) {
        gone(c);
      }
    }
  }

  private final class GenericConnection extends CountedConnection {

    GenericConnection(Object key) {
      super(key, Protocol.HTTP_1_1);
    }

    @Override
    void closingResponseFinished() {
      gone(this);
    }

    @Override
    public void drain(RecycleReason reason, Duration grace) {
      // HTTP/1.1: the next response carries Connection: close.
    }

    @Override
    public void forceClose() {
      // The servlet API cannot close a socket; the response in flight ends the connection.
    }
  }
}
