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

/**
 * Counting done by the filter itself, for containers whose requests reach the filter with the
 * connection they came on (Jetty, Tomcat and others): the request starts when it enters the
 * filter and ends when the filter returns or, for async requests, when the async cycle ends.
 */
abstract class ServletLevelSupport implements ContainerSupport {
  static final String CONNECTION = "Connection";
  static final String CLOSE = "close";

  final ConnectionRecycler recycler;
  private final ConcurrentMap<Object, CountedConnection> connections = new ConcurrentHashMap<>();

  ServletLevelSupport(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  /** The object that lives as long as the request's TCP connection, or {@code null} to skip. */
  abstract Object keyOf(HttpServletRequest request);

  /**
   * A new connection for {@code key}, registered with the recycler. Called once per key, inside
   * the map's lock; {@code onClosed} removes it from the map and must not run synchronously.
   */
  abstract CountedConnection newConnection(Object key, HttpServletRequest request,
      Runnable onClosed);

  Collection<CountedConnection> connections() {
    return connections.values();
  }

  void forget(Object key, CountedConnection connection) {
    connections.remove(key, connection);
  }

  @Override
  public void doFilter(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws IOException, ServletException {
    Object key = keyOf(request);
    if (key == null) {
      chain.doFilter(request, response);
      return;
    }
    CountedConnection c = connections.get(key);
    if (c == null) {
      c = connections.computeIfAbsent(key, k -> newConnection(k, request,
          () -> connections.remove(k)));
    }
    c.requestStarted();
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
    private boolean finished;

    AsyncFinish(CountedConnection connection, HttpServletResponse response) {
      this.connection = connection;
      this.response = response;
    }

    private synchronized void finish() {
      if (!finished) {
        finished = true;
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
