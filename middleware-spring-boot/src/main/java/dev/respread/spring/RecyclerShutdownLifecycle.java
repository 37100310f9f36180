package dev.respread.spring;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link ConnectionRecycler#shutdown()} (the delay, then one drain of every connection) when
 * the context closes, and returns only when it has completed, so that no server stops first.
 *
 * <p>Its phase is {@link SmartLifecycle#DEFAULT_PHASE}, the highest, which Spring stops first:
 * before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and its stop
 * ({@code DEFAULT_PHASE - 2048}). Spring gRPC stops its server in that same phase, and Spring
 * stops the beans of one phase one after another, starting each with the beans that depend on
 * it; the gRPC wiring makes this bean depend on each gRPC server's lifecycle, and
 * {@link #stop(Runnable)} blocks, so the drain is over before the gRPC server is shut down.
 *
 * <p>It waits at most the shutdown delay plus the grace plus five seconds (a drained connection lingers at most that long): by then every
 * connection with a request in flight has been closed hard, and a server that must still close
 * idle connections itself does so when it stops.
 */
final class RecyclerShutdownLifecycle implements SmartLifecycle {
  private static final Logger logger = System.getLogger(RecyclerShutdownLifecycle.class.getName());
  /** The bean's name, which the gRPC wiring makes depend on each gRPC server. */
  static final String BEAN_NAME = "respreadShutdownLifecycle";
  private static final Duration MARGIN = Duration.ofSeconds(5);

  private final ConnectionRecycler recycler;
  private volatile boolean running;

  RecyclerShutdownLifecycle(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  @Override
  public void start() {
    running = true;
  }

  @Override
  public void stop() {
    running = false;
    RecyclingConfig config = recycler.config();
    Duration limit = config.shutdownDelay().plus(config.maxConnectionAgeGrace()).plus(MARGIN);
    try {
      recycler.shutdown().get(limit.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      logger.log(Level.WARNING, "respread: {0} connections still open {1} after the shutdown "
          + "began; the server's own shutdown closes them", recycler.openConnections(), limit);
    } catch (ExecutionException e) {
      logger.log(Level.WARNING, "respread: the shutdown drain failed", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void stop(Runnable callback) {
    // Blocking on purpose: see the class comment.
    try {
      stop();
    } finally {
      callback.run();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return DEFAULT_PHASE;
  }

  /** A context that is paused (not closed) keeps its connections. */
  @Override
  public boolean isPauseable() {
    return false;
  }
}
