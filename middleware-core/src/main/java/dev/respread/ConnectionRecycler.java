package dev.respread;

import static java.util.Objects.requireNonNull;

import dev.respread.internal.RecyclerMetrics;
import dev.respread.internal.RecyclingEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Decides when each connection of one server ends, and asks its adapter to end it gracefully.
 *
 * <p>Create one per server, hand it to the protocol adapter, and call {@link #shutdown()} when the
 * server is asked to stop:
 *
 * <pre>{@code
 * ConnectionRecycler recycler = ConnectionRecycler.fromEnvironment();
 * // netty:   pipeline.addLast(new Http2RecyclingHandler(recycler)) ...
 * // on SIGTERM:
 * recycler.shutdown().get();
 * }</pre>
 *
 * <p>The recycler applies the rules of {@link RecyclingConfig}: a jittered maximum age, a
 * jittered request cap, the load controller when a {@link LoadView} is set, a drain budget, and a
 * grace after which a drained connection is closed hard. It runs them on one scheduler thread
 * every 100 ms; the request path only updates counters.
 *
 * <p>Thread-safe.
 */
public final class ConnectionRecycler implements AutoCloseable {
  private static final Logger logger = System.getLogger(ConnectionRecycler.class.getName());

  private final RecyclerMetrics metrics;
  private final RecyclingEngine engine;
  private final LoadView view;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;
  private final ScheduledFuture<?> ticks;
  private volatile CompletableFuture<Void> shutdown;
  private volatile boolean drainedAll;
  /** Guarded by {@code this}. */
  private boolean closed;
  /** Guarded by {@code this}: cancelled on close, since a scheduler passed in outlives us. */
  private final List<Future<?>> periodicTasks = new ArrayList<>();

  private ConnectionRecycler(Builder b) {
    RecyclingConfig config = b.config;
    this.metrics = new RecyclerMetrics(b.meterRegistry, b.name);
    String name = metrics.server();
    LoadView v = b.loadView;
    try {
      if (v == null && config.loadSource() != LoadSource.NONE && config.enabled()) {
        v = createView(config, b.environment, b.ticker, b.meterRegistry, name);
      }
    } catch (RuntimeException e) {
      metrics.close();
      throw e;
    }
    this.view = v;
    this.engine = new RecyclingEngine(config, v, b.ticker, b.random, metrics);
    this.ownsScheduler = b.scheduler == null;
    this.scheduler = ownsScheduler ? newScheduler(name) : b.scheduler;
    long tick = RecyclingEngine.TICK.toNanos();
    this.ticks = scheduler.scheduleAtFixedRate(this::tick, tick, tick, TimeUnit.NANOSECONDS);
    logger.log(Level.DEBUG, "respread recycler \"{0}\" started: {1}", name, config);
  }

  private static LoadView createView(RecyclingConfig config, Map<String, String> env,
      Ticker ticker, MeterRegistry registry, String name) {
    for (LoadViewProvider p : LoadViewProviders.all()) {
      if (p.source() == config.loadSource()) {
        return p.create(config, env, ticker, registry, name);
      }
    }
    throw new InvalidConfigurationException(List.of("RESPREAD_LOAD_SOURCE: \""
        + config.loadSource().configName()
        + "\" (expected: respread-kubernetes on the class path, which provides it)"));
  }

  private static ScheduledExecutorService newScheduler(String name) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "respread-recycler-" + name);
      t.setDaemon(true);
      return t;
    });
  }

  private void tick() {
    try {
      engine.tick();
      CompletableFuture<Void> s = shutdown;
      if (s != null && !s.isDone() && drainedAll
          && (engine.openConnections() == 0 || !engine.config().enabled())) {
        s.complete(null);
      }
    } catch (Throwable t) {
      // A failing tick must not cancel the schedule; the next one tries again.
      logger.log(Level.ERROR, "respread tick failed", t);
    }
  }

  /**
   * A recycler configured from {@link System#getenv()}, reporting to Micrometer's global
   * registry, with the load view that {@code RESPREAD_LOAD_SOURCE} names.
   *
   * @throws InvalidConfigurationException naming every bad variable
   */
  public static ConnectionRecycler fromEnvironment() {
    Map<String, String> env = System.getenv();
    return builder(RecyclingConfig.fromEnvironment(env)).environment(env).build();
  }

  /** A builder for a recycler with {@code config}. */
  public static Builder builder(RecyclingConfig config) {
    return new Builder(config);
  }

  /**
   * Registers a newly accepted connection. Adapters call this once per connection, before its
   * first request, and must call {@link TrackedConnection#closed()} when it closes.
   */
  public TrackedConnection register(DrainableConnection connection, Protocol protocol) {
    return engine.register(connection, protocol);
  }

  /**
   * Runs {@code task} every {@code period} on the recycler's scheduler thread until it is
   * cancelled or the recycler is closed. For adapters whose server reports no connection close
   * and must look for closed connections themselves (the servlet filter on a container without a
   * close event); the task shares the thread that applies the rules, so it must be short and must
   * not block. A task that throws is logged and runs again at the next period.
   *
   * @return a handle whose {@link Future#cancel(boolean) cancel} stops the task
   */
  public Future<?> runPeriodically(Runnable task, Duration period) {
    requireNonNull(task, "task");
    requireNonNull(period, "period");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period: " + period + " (expected: > 0)");
    }
    long nanos = period.toNanos();
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("runPeriodically: the recycler is closed");
      }
      Future<?> f = scheduler.scheduleAtFixedRate(() -> {
        try {
          task.run();
        } catch (Throwable t) {
          logger.log(Level.WARNING, "respread periodic task failed", t);
        }
      }, nanos, nanos, TimeUnit.NANOSECONDS);
      periodicTasks.add(f);
      return f;
    }
  }

  /** The configuration in force. */
  public RecyclingConfig config() {
    return engine.config();
  }

  /** Connections registered and not yet closed. */
  public int openConnections() {
    return engine.openConnections();
  }

  /** Connections draining now. */
  public int drainingConnections() {
    return engine.drainingConnections();
  }

  /**
   * What the load view saw last, for health and info endpoints; empty when the recycler has no
   * view. Never blocks: the view refreshes on its own thread.
   */
  public Optional<LoadSnapshot> latestLoad() {
    return view == null ? Optional.empty() : Optional.of(view.latest());
  }

  /**
   * Drains every connection once, after {@link RecyclingConfig#shutdownDelay()}, so that
   * kube-proxy has dropped this endpoint and clients reconnect elsewhere. Connections accepted
   * after the drain starts are drained as they arrive. After the grace, connections still busy
   * are closed hard (and counted), and idle HTTP/1.1 connections are closed: the server is going
   * away, and a client that sends on one at that moment retries as it would after any
   * keep-alive timeout (RFC 9112 §9.6). Idempotent.
   *
   * <p>With recycling switched off ({@link RecyclingConfig#enabled()} false) nothing is drained,
   * and the future completes once the delay has passed: the switch that is flipped when
   * something goes wrong must never hold up a shutdown. The server's own shutdown then ends its
   * connections.
   *
   * @return a future that completes when every connection has closed; it fails with an
   *     {@link IllegalStateException} if the recycler is {@linkplain #close() closed} first
   */
  public CompletableFuture<Void> shutdown() {
    synchronized (this) {
      if (closed && shutdown == null) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("shutdown: the recycler is already closed"));
      }
      if (shutdown == null) {
        shutdown = new CompletableFuture<>();
        long delay = config().shutdownDelay().toNanos();
        scheduler.schedule(() -> {
          engine.drainAllForShutdown();
          drainedAll = true;
        }, delay, TimeUnit.NANOSECONDS);
      }
      return shutdown;
    }
  }

  /**
   * Stops the recycler's timer and its load view. Connections stay open and are no longer
   * recycled; call {@link #shutdown()} first to drain them.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (shutdown != null && !shutdown.isDone()) {
        shutdown.completeExceptionally(new IllegalStateException("the recycler was closed "
            + "before its shutdown finished (" + engine.openConnections() + " connections open)"));
      }
    }
    ticks.cancel(false);
    synchronized (this) {
      periodicTasks.forEach(f -> f.cancel(false));
      periodicTasks.clear();
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
    if (view != null) {
      try {
        view.close();
      } catch (Exception e) {
        logger.log(Level.WARNING, "Failed to close the load view", e);
      }
    }
    metrics.close();
  }

  /** A builder of {@link ConnectionRecycler}. */
  public static final class Builder {
    private final RecyclingConfig config;
    private LoadView loadView;
    private MeterRegistry meterRegistry = Metrics.globalRegistry;
    private Ticker ticker = Ticker.system();
    private ScheduledExecutorService scheduler;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private String name = "default";
    private Map<String, String> environment = Map.of();

    private Builder(RecyclingConfig config) {
      this.config = requireNonNull(config, "config");
    }

    /**
     * The load view; overrides {@link RecyclingConfig#loadSource()}. Without one, and with
     * {@code loadSource} {@code none}, only the age and request rules apply. The recycler closes
     * the view when it is closed.
     */
    public Builder loadView(LoadView loadView) {
      this.loadView = requireNonNull(loadView, "loadView");
      return this;
    }

    /** Where meters go. Default {@link Metrics#globalRegistry}. */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
      return this;
    }

    /**
     * The value of the {@code server} tag on every meter, which tells several recyclers in one
     * JVM apart (for example {@code grpc} and {@code http}). Default {@code default}.
     */
    public Builder name(String name) {
      requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("name: \"\" (expected: not empty)");
      }
      this.name = name;
      return this;
    }

    /** The clock. Default {@link Ticker#system()}; tests pass a fake one. */
    public Builder ticker(Ticker ticker) {
      this.ticker = requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * The scheduler that runs the rules every 100 ms and the shutdown delay. Default: a daemon
     * thread owned by the recycler. A scheduler passed here is not shut down by {@link #close()}.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * Uniform doubles in {@code [0, 1)} used to draw jitter. Default {@link ThreadLocalRandom};
     * tests and simulations pass a seeded source so that runs repeat.
     */
    public Builder random(DoubleSupplier random) {
      this.random = requireNonNull(random, "random");
      return this;
    }

    /** The environment a load view created from {@link RecyclingConfig#loadSource()} reads. */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(requireNonNull(environment, "environment"));
      return this;
    }

    /**
     * Builds and starts the recycler.
     *
     * @throws InvalidConfigurationException if the load view cannot be configured
     */
    public ConnectionRecycler build() {
      return new ConnectionRecycler(this);
    }
  }
}
