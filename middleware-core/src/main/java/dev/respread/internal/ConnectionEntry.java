package dev.respread.internal;

import dev.respread.DrainableConnection;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.TrackedConnection;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The engine's record of one connection. The request-path methods only touch atomic fields
 * through field updaters: no locks, no allocation.
 */
final class ConnectionEntry implements TrackedConnection {
  static final int OPEN = 0;
  /** Draining, and holding one slot of the concurrent drain budget. */
  static final int DRAINING = 1;
  static final int CLOSED = 2;
  /** Draining, with its budget slot given back (an idle HTTP/1.1 connection after the grace). */
  static final int DRAINING_RELEASED = 3;

  private static final AtomicIntegerFieldUpdater<ConnectionEntry> STATE =
      AtomicIntegerFieldUpdater.newUpdater(ConnectionEntry.class, "state");
  private static final AtomicIntegerFieldUpdater<ConnectionEntry> IN_FLIGHT =
      AtomicIntegerFieldUpdater.newUpdater(ConnectionEntry.class, "inFlight");
  private static final AtomicLongFieldUpdater<ConnectionEntry> REQUESTS =
      AtomicLongFieldUpdater.newUpdater(ConnectionEntry.class, "requests");

  final RecyclingEngine engine;
  /** Registration order; also the hash, so that the engine walks its connections in a fixed order. */
  final long id;
  final DrainableConnection connection;
  final Protocol protocol;
  final long openedAtNanos;
  /** The jittered age limit. */
  final long maxAgeNanos;
  /** The jittered age limit while this pod is below the Service mean. */
  final long coldMaxAgeNanos;
  /** The jittered request cap, or 0 when off. */
  final long requestCap;

  private volatile int state = OPEN;
  private volatile int inFlight;
  private volatile long requests;
  volatile RecycleReason drainReason;
  volatile boolean deferralCounted;
  volatile long drainStartedAtNanos;

  // Owned by the engine's scheduler thread.
  /** Whether the grace has run out and the engine has acted on it. */
  boolean graceJudged;
  long sampledRequests;
  double requestRate;
  /** Requests in the last and the one before last evaluation interval, when open for all of it. */
  long lastDelta;
  long previousDelta;
  /** Whole evaluation intervals this connection has been open for, up to 2. */
  int wholeIntervals;

  ConnectionEntry(RecyclingEngine engine, long id, DrainableConnection connection,
      Protocol protocol, long openedAtNanos, long maxAgeNanos, long coldMaxAgeNanos,
      long requestCap) {
    this.engine = engine;
    this.id = id;
    this.connection = connection;
    this.protocol = protocol;
    this.openedAtNanos = openedAtNanos;
    this.maxAgeNanos = maxAgeNanos;
    this.coldMaxAgeNanos = coldMaxAgeNanos;
    this.requestCap = requestCap;
  }

  @Override
  public void requestStarted() {
    long n = REQUESTS.incrementAndGet(this);
    IN_FLIGHT.incrementAndGet(this);
    if (requestCap != 0 && n >= requestCap && state == OPEN) {
      // An explicit cap is a contract, as Envoy's max_requests_per_connection, which has no
      // budget: held back by the budget, a capped connection served ~29 requests for a cap of 2.
      engine.tryDrain(this, RecycleReason.MAX_REQUESTS, true);
    }
  }

  @Override
  public void requestFinished() {
    // Never below zero, even if an adapter reports a finish twice.
    int current;
    do {
      current = inFlight;
      if (current == 0) {
        return;
      }
    } while (!IN_FLIGHT.compareAndSet(this, current, current - 1));
  }

  @Override
  public boolean closeAfterResponse() {
    return state != OPEN;
  }

  @Override
  public boolean draining() {
    int s = state;
    return s == DRAINING || s == DRAINING_RELEASED;
  }

  @Override
  public int inFlightRequests() {
    return inFlight;
  }

  @Override
  public long requests() {
    return requests;
  }

  @Override
  public void closed() {
    int previous = STATE.getAndSet(this, CLOSED);
    if (previous != CLOSED) {
      // The state alone says whether a budget slot is held, so whoever moves it to CLOSED
      // returns the slot exactly once, however a close races the start of a drain.
      engine.onClosed(this, previous == DRAINING);
    }
  }

  int state() {
    return state;
  }

  /**
   * Moves OPEN to DRAINING; on success the entry holds one slot of the drain budget. One atomic
   * step: with a separate "holds a slot" flag set after the state, a close between the two saw
   * DRAINING without the flag and the slot was lost for good.
   */
  boolean startDrain() {
    return STATE.compareAndSet(this, OPEN, DRAINING);
  }

  /**
   * Gives up the budget slot while still draining; true only for the one caller that held it. A
   * connection that closed meanwhile returned its slot in {@link #closed()}.
   */
  boolean releaseBudget() {
    return STATE.compareAndSet(this, DRAINING, DRAINING_RELEASED);
  }

  // Identity equality, with a hash that does not depend on the heap: seeded tests and
  // simulations then see the same iteration order, and so the same drains, on every run.
  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  @Override
  public boolean equals(Object o) {
    return this == o;
  }

  @Override
  public String toString() {
    return "TrackedConnection{protocol=" + protocol + ", state=" + state + ", requests="
        + requests + ", inFlight=" + inFlight + '}';
  }
}
