package dev.respread.servlet.internal;

import dev.respread.DrainableConnection;
import dev.respread.Protocol;
import dev.respread.TrackedConnection;
import jakarta.servlet.http.HttpServletResponse;
import java.util.concurrent.atomic.AtomicInteger;

/** A connection counted by the filter itself (see {@link ServletLevelSupport}). */
abstract class CountedConnection implements DrainableConnection {
  /** Below zero: taken as closed; stays below zero whatever finishes afterwards. */
  private static final int RETIRED = Integer.MIN_VALUE / 2;

  final Object key;
  final Protocol protocol;
  private volatile TrackedConnection tracked;
  private volatile long lastActiveNanos = System.nanoTime();
  private volatile boolean closing;
  /**
   * Requests inside the filter on this connection, or {@link #RETIRED}. A request enters only
   * while the count is not negative and the idle sweep retires only at zero, both by CAS, so a
   * request never runs on an entry that the sweep has already reported closed.
   */
  private final AtomicInteger users = new AtomicInteger();

  CountedConnection(Object key, Protocol protocol) {
    this.key = key;
    this.protocol = protocol;
  }

  /** Call once, right after {@code recycler.register(this, protocol)}. */
  final void attach(TrackedConnection tracked) {
    this.tracked = tracked;
  }

  final TrackedConnection tracked() {
    return tracked;
  }

  /**
   * Counts a request, unless this entry has been retired, in which case it returns
   * {@code false} and the caller looks the connection up again.
   */
  final boolean requestStarted() {
    for (int n; (n = users.get()) >= 0; ) {
      if (users.compareAndSet(n, n + 1)) {
        lastActiveNanos = System.nanoTime();
        tracked.requestStarted();
        return true;
      }
    }
    return false;
  }

  final void requestFinished() {
    lastActiveNanos = System.nanoTime();
    tracked.requestFinished();
    users.decrementAndGet();
    if (closing && tracked.inFlightRequests() == 0) {
      closingResponseFinished();
    }
  }

  /** Retires this entry if no request is in it and none has been for {@code idleNanos}. */
  final boolean retireIfIdle(long nowNanos, long idleNanos) {
    return nowNanos - lastActiveNanos >= idleNanos && users.compareAndSet(0, RETIRED);
  }

  /** Retires this entry whatever runs in it: the connection has closed. */
  final void retire() {
    users.set(RETIRED);
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
