package dev.respread.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.DrainableConnection;
import dev.respread.LoadView;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import dev.respread.Ticker;
import dev.respread.TrackedConnection;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/**
 * Holds every recycling rule. Adapters report facts through {@link TrackedConnection}; the engine
 * decides and asks them to drain.
 *
 * <p>The request cap is checked on the request path. Age, grace, load and shutdown are checked by
 * {@link #tick()}, which one scheduler thread calls every {@link #TICK}.
 */
public final class RecyclingEngine {
  /** How often {@link #tick()} should run. */
  public static final Duration TICK = Duration.ofMillis(100);

  private static final Logger logger = System.getLogger(RecyclingEngine.class.getName());

  private final RecyclingConfig config;
  private final Ticker ticker;
  private final DoubleSupplier random;
  private final RecyclerMetrics metrics;
  private final DrainBudget budget;
  private final LoadController controller;
  private final long graceNanos;
  private final Set<ConnectionEntry> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong nextId = new AtomicLong();
  /** Requests of the connections that have closed. */
  private final AtomicLong closedRequests = new AtomicLong();
  /** The largest total reported, so that {@link #totalRequests()} never goes back. */
  private final AtomicLong reportedRequests = new AtomicLong();
  private volatile boolean shuttingDown;

  /**
   * Creates an engine.
   *
   * @param view the load view, or {@code null} for age and request rules only
   * @param random uniform doubles in {@code [0, 1)} for jitter
   * @param metrics this engine's meters; their owner removes them
   *     ({@link dev.respread.ConnectionRecycler#close()})
   */
  public RecyclingEngine(RecyclingConfig config, LoadView view, Ticker ticker,
      DoubleSupplier random, RecyclerMetrics metrics) {
    this.config = requireNonNull(config, "config");
    this.ticker = requireNonNull(ticker, "ticker");
    this.random = requireNonNull(random, "random");
    this.metrics = requireNonNull(metrics, "metrics");
    this.budget = new DrainBudget(config.maxDrainsPerSecond(), config.maxDrainingFraction());
    this.controller = new LoadController(config, view, this);
    this.graceNanos = config.maxConnectionAgeGrace().toNanos();
    metrics.gauges(this, config.enabled(), RecyclingEngine::totalRequests,
        RecyclingEngine::openConnections,
        RecyclingEngine::drainingConnections, controller::loadRatio, controller::members,
        () -> controller.stalenessSeconds(ticker.nanoTime()), controller::usable,
        controller::drainAllowance);
  }

  public RecyclingConfig config() {
    return config;
  }

  /** Registers a newly accepted connection. */
  public TrackedConnection register(DrainableConnection connection, Protocol protocol) {
    requireNonNull(connection, "connection");
    requireNonNull(protocol, "protocol");
    long now = ticker.nanoTime();
    double ageFactor = jitterFactor();
    long maxAge = jittered(config.maxConnectionAge(), ageFactor);
    long coldMaxAge = jittered(config.coldMaxConnectionAge(), ageFactor);
    long cap = config.maxRequestsPerConnection();
    if (cap != 0) {
      cap = Math.max(2, Math.round(cap * jitterFactor()));
    }
    ConnectionEntry entry = new ConnectionEntry(this, nextId.getAndIncrement(), connection,
        protocol, now, maxAge, coldMaxAge, cap);
    connections.add(entry);
    open.incrementAndGet();
    metrics.opened(protocol);
    if (shuttingDown) {
      tryDrain(entry, RecycleReason.SHUTDOWN, true);
    }
    return entry;
  }

  private double jitterFactor() {
    return 1.0 + config.jitter() * (2.0 * random.getAsDouble() - 1.0);
  }

  private static long jittered(Duration limit, double factor) {
    long nanos = (long) (limit.toNanos() * factor);
    return Math.max(RecyclingConfig.MIN_CONNECTION_AGE.toNanos(), nanos);
  }

  /**
   * Starts draining {@code entry} unless it is already draining or closed, recycling is off, or
   * the budget says no. The one place a drain starts, so that coinciding triggers give one drain.
   */
  boolean tryDrain(ConnectionEntry entry, RecycleReason reason, boolean bypassBudget) {
    if (!config.enabled() || entry.state() != ConnectionEntry.OPEN) {
      return false;
    }
    long now = ticker.nanoTime();
    if (!budget.tryAcquire(now, open.get(), bypassBudget)) {
      if (!entry.deferralCounted) {
        entry.deferralCounted = true;
        metrics.deferred(reason);
      }
      return false;
    }
    if (!entry.startDrain()) {
      budget.cancel();
      return false;
    }
    entry.drainReason = reason;
    entry.drainStartedAtNanos = now;
    metrics.drained(reason, entry.protocol);
    try {
      entry.connection.drain(reason, config.maxConnectionAgeGrace());
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "Adapter failed to start a drain of " + entry, e);
    }
    return true;
  }

  void onClosed(ConnectionEntry entry, boolean holdsBudget) {
    if (connections.remove(entry)) {
      // Added after the removal: a concurrent total that reads this sum first and then walks
      // the set can miss these requests for a moment, never count them twice.
      closedRequests.addAndGet(entry.requests());
      open.decrementAndGet();
      if (holdsBudget) {
        budget.drainEnded();
      }
      metrics.closed(entry.protocol, ticker.nanoTime() - entry.openedAtNanos, entry.requests());
    }
  }

  /** Applies the age, request, grace and load rules. Called by one thread at a time. */
  public void tick() {
    long now = ticker.nanoTime();
    if (!config.enabled()) {
      return;
    }
    controller.evaluate(now, connections);
    boolean cold = controller.cold();
    for (ConnectionEntry e : connections) {
      int state = e.state();
      if (state == ConnectionEntry.OPEN) {
        long limit = cold ? e.coldMaxAgeNanos : e.maxAgeNanos;
        if (now - e.openedAtNanos >= limit) {
          tryDrain(e, RecycleReason.MAX_AGE, shuttingDown);
        } else if (e.requestCap != 0 && e.requests() >= e.requestCap) {
          tryDrain(e, RecycleReason.MAX_REQUESTS, true);
        }
      } else if (state != ConnectionEntry.CLOSED && !e.graceJudged
          && now - e.drainStartedAtNanos >= graceNanos) {
        // Judged once, at the first tick after the grace: a request that starts later began
        // after the drain and is not failed for it.
        e.graceJudged = true;
        int inFlight = e.inFlightRequests();
        // An idle HTTP/1.1 connection is never closed out of band: the client may be sending a
        // request at this very moment (RFC 9112 §9.6). Its next response carries the close.
        // At shutdown it is closed all the same: the server is going away, and the client
        // retries as after any keep-alive timeout.
        if (e.protocol == Protocol.HTTP_1_1 && inFlight == 0 && !shuttingDown) {
          // It may stay idle for as long as the client likes; it no longer occupies a slot of
          // the concurrent drain budget, or idle keep-alive connections would block every drain.
          if (e.releaseBudget()) {
            budget.drainEnded();
          }
          continue;
        }
        if (inFlight > 0) {
          metrics.forced(e.protocol);
        }
        try {
          e.connection.forceClose();
        } catch (RuntimeException ex) {
          logger.log(Level.WARNING, "Adapter failed to close " + e, ex);
        }
      }
    }
  }

  /**
   * Drains every open connection now, outside the budget. Connections registered later drain at
   * once. Runs on the thread that calls {@link #tick()}.
   */
  public void drainAllForShutdown() {
    shuttingDown = true;
    long now = ticker.nanoTime();
    for (ConnectionEntry e : connections) {
      if (!tryDrain(e, RecycleReason.SHUTDOWN, true)
          && e.state() == ConnectionEntry.DRAINING_RELEASED && config.enabled()) {
        // An HTTP/1.1 connection drained earlier and idle past its grace, waiting for a request
        // to carry the close: give it one more grace, after which the shutdown closes it (see
        // tick()). One closed hard already is not closed twice.
        e.drainReason = RecycleReason.SHUTDOWN;
        e.drainStartedAtNanos = now;
        e.graceJudged = false;
      }
    }
  }

  /**
   * Requests started on this server since the engine started. Sums the open connections' counts,
   * so it costs the request path nothing; it is read by the load controller every tick and by
   * the {@code respread.requests} counter. Never decreases: a read that races a close and misses
   * that connection's requests reports the previous total instead.
   */
  public long totalRequests() {
    long sum = closedRequests.get();
    for (ConnectionEntry e : connections) {
      sum += e.requests();
    }
    return reportedRequests.accumulateAndGet(sum, Math::max);
  }

  public int openConnections() {
    return open.get();
  }

  public int drainingConnections() {
    return budget.draining();
  }
}
