package dev.respread.servlet.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.Protocol;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counting done by the filter itself, for containers whose requests reach the filter with the
 * connection they came on (Jetty, Tomcat and others): the request starts when it enters the
 * filter and ends when the filter returns or, for async requests, when the async cycle ends.
 */
abstract class ServletLevelSupport implements ContainerSupport {
  static final String CONNECTION = "Connection";
  static final String CLOSE = "close";

  /** How often a request retries an entry retired under it before passing through uncounted. */
  private static final int ATTEMPTS = 3;

  final ConnectionRecycler recycler;
  private final ConcurrentMap<Object, CountedConnection> connections;

  /**
   * {@code connections} is shared by every support of one kind on {@code recycler} (see
   * {@link PerRecycler}), so that two contexts of one server register a connection once.
   */
  ServletLevelSupport(ConnectionRecycler recycler,
      ConcurrentMap<Object, CountedConnection> connections) {
    this.recycler = requireNonNull(recycler, "recycler");
    this.connections = requireNonNull(connections, "connections");
  }

  /** A connection map for {@link PerRecycler}. */
  static ConcurrentMap<Object, CountedConnection> newConnectionMap(ConnectionRecycler recycler) {
    return new ConcurrentHashMap<>();
  }

  /** The object that lives as long as the request's TCP connection, or {@code null} to skip. */
  abstract Object keyOf(HttpServletRequest request);

  /**
   * A new connection for {@code key}, registered with the recycler, that calls
   * {@link #gone(CountedConnection)} when the container reports it closed. Called once per key,
   * inside the map's lock, so it must not call {@code gone} itself.
   */
  abstract CountedConnection newConnection(Object key, HttpServletRequest request);

  /**
   * Whether {@code connection}, just registered by this thread, is still open. A close listener
   * added to a connection that has already closed never runs, so the container's own state is
   * checked once after the listener is in place. Containers without close events answer
   * {@code true}.
   */
  boolean stillOpen(CountedConnection connection) {
    return true;
  }

  Collection<CountedConnection> connections() {
    return connections.values();
  }

  /** The connection has closed, or is taken as closed: forget it and tell the engine. */
  final void gone(CountedConnection connection) {
    connection.retire();
    connections.remove(connection.key, connection);
    connection.tracked().closed();
  }

  /**
   * The entry for {@code key} with this request counted on it, registering the connection on its
   * first request; {@code null} if the connection has already closed.
   */
  private CountedConnection enter(Object key, HttpServletRequest request) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      CountedConnection c = connections.get(key);
      if (c == null) {
        CountedConnection[] created = new CountedConnection[1];
        c = connections.computeIfAbsent(key, k -> created[0] = newConnection(k, request));
        if (created[0] == c && !stillOpen(c)) {
          gone(c);
          return null;
        }
      }
      if (c.requestStarted()) {
        return c;
      }
      // Retired between the look-up and the count (the idle sweep, or a close event): this
      // request shows the connection is in use, so it registers again.
      connections.remove(key, c);
    }
    return null;
  }

  @Override
  public void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    Object key = keyOf(request);
    CountedConnection c = key == null ? null : enter(key, request);
    if (c == null) {
      chain.doFilter(request, response);
      return;
    }
    boolean async = false;
    HttpServletResponse wrapped = c.protocol == Protocol.HTTP_1_1
        ? new CloseBeforeCommitResponse(response, c) : response;
    try {
      c.closeIfDraining(response);
      chain.doFilter(request, wrapped);
      if (request.isAsyncStarted()) {
        request.getAsyncContext().addListener(new AsyncFinish(c, response));
        async = true;
      } else if (!response.isCommitted()) {
        // A drain that started while the request ran still reaches this response.
        c.closeIfDraining(response);
      }
    } finally {
      if (!async) {
        c.requestFinished();
      }
    }
  }

  /** Ends the count of an async request once, whichever way its cycle ends. */
  private static final class AsyncFinish implements AsyncListener {
    private final CountedConnection connection;
    private final HttpServletResponse response;
    /** Async events may arrive on different container threads; a CAS ends the count once. */
    private final AtomicBoolean finished = new AtomicBoolean();

    AsyncFinish(CountedConnection connection, HttpServletResponse response) {
      this.connection = connection;
      this.response = response;
    }

    private void finish() {
      if (finished.compareAndSet(false, true)) {
        connection.requestFinished();
      }
    }

    @Override
    public void onComplete(AsyncEvent event) {
      finish();
    }

    @Override
    public void onTimeout(AsyncEvent event) {
      if (!response.isCommitted()) {
        connection.closeIfDraining(response);
      }
    }

    @Override
    public void onError(AsyncEvent event) {
      finish();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }
}
