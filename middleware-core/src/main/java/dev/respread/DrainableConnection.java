package dev.respread;

import java.time.Duration;

/**
 * A connection as its protocol adapter sees it: the engine calls it to end the connection.
 *
 * <p>Implementations must be thread-safe and idempotent, and must never block the caller: the
 * engine calls them from its own scheduler thread and, for the request cap, from whichever thread
 * reported the request. An adapter hands the work to the connection's event loop or I/O thread.
 */
public interface DrainableConnection {

  /**
   * Starts a graceful drain: HTTP/2 sends a GOAWAY so the client opens a new connection and
   * finishes its streams here; HTTP/1.1 does nothing out of band and relies on
   * {@link TrackedConnection#closeAfterResponse()}. The engine calls this at most once per
   * connection.
   *
   * @param reason why the connection is drained, for GOAWAY debug data and logs
   * @param grace how long in-flight requests may still run; after it the engine calls
   *     {@link #forceClose()}
   */
  void drain(RecycleReason reason, Duration grace);

  /**
   * Closes the connection now. The engine calls this once, when the grace after
   * {@link #drain(RecycleReason, Duration)} has run out and the connection is still open.
   */
  void forceClose();
}
