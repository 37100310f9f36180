package dev.respread;

/**
 * The engine's handle on one connection, returned by
 * {@link ConnectionRecycler#register(DrainableConnection, Protocol)}. Adapters report facts
 * through it; they never decide anything themselves.
 *
 * <p>{@link #requestStarted()}, {@link #requestFinished()} and {@link #closeAfterResponse()} are
 * on the request path: they take no locks and allocate nothing. All methods are thread-safe.
 */
public interface TrackedConnection {

  /**
   * Reports that a request (an HTTP/1.1 exchange, an HTTP/2 stream or a gRPC call) started on this
   * connection. Counts toward the request cap, which may start a drain.
   */
  void requestStarted();

  /** Reports that a request started with {@link #requestStarted()} has finished, in any way. */
  void requestFinished();

  /**
   * Whether the HTTP/1.1 response being written now must carry {@code Connection: close}. Once
   * this returns {@code true} it keeps returning {@code true}. It may start a drain if the
   * connection has passed its age while idle between requests.
   */
  boolean closeAfterResponse();

  /** Whether the engine has started draining this connection. */
  boolean draining();

  /** Requests started and not yet finished. */
  int inFlightRequests();

  /** Requests started since the connection opened. */
  long requests();

  /** Reports that the connection is closed, for any reason. Idempotent. */
  void closed();
}
