package dev.respread.servlet.internal;

import dev.respread.DrainableConnection;
import dev.respread.Protocol;
import dev.respread.TrackedConnection;
import jakarta.servlet.http.HttpServletResponse;

/** A connection counted by the filter itself (see {@link ServletLevelSupport}). */
abstract class CountedConnection implements DrainableConnection {
  final Protocol protocol;
  private volatile TrackedConnection tracked;
  private volatile long lastActiveNanos = System.nanoTime();
  private volatile boolean closing;

  CountedConnection(Protocol protocol) {
    this.protocol = protocol;
  }

  /** Call once, right after {@code recycler.register(this, protocol)}. */
  final void attach(TrackedConnection tracked) {
    this.tracked = tracked;
  }

  final TrackedConnection tracked() {
    return tracked;
  }

  final void requestStarted() {
    lastActiveNanos = System.nanoTime();
    tracked.requestStarted();
  }

  final void requestFinished() {
    lastActiveNanos = System.nanoTime();
    tracked.requestFinished();
    if (closing && tracked.inFlightRequests() == 0) {
      closingResponseFinished();
    }
  }

  final long lastActiveNanos() {
    return lastActiveNanos;
  }

  /**
   * Puts {@code Connection: close} on an HTTP/1.1 response that is not committed yet, once the
   * engine drains this connection (RFC 9112 §9.6). HTTP/2 forbids the header (RFC 9113 §8.2.2).
   */
  final void closeIfDraining(HttpServletResponse response) {
    if (protocol == Protocol.HTTP_1_1 && tracked.closeAfterResponse()) {
      response.setHeader(ServletLevelSupport.CONNECTION, ServletLevelSupport.CLOSE);
      closing = true;
    }
  }

  /**
   * A response carrying {@code Connection: close} has been handed back to the container, which
   * closes the connection after writing it. Containers that report closes themselves do nothing.
   */
  void closingResponseFinished() {
  }
}
