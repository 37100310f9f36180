package dev.respread.internal;

import dev.respread.Protocol;
import dev.respread.RecycleReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Every meter respread publishes, named in one place. Tags are bounded: {@code server} (the name
 * given to the recycler), {@code protocol} and {@code reason}; never a pod, peer or connection.
 */
public final class RecyclerMetrics {
  private static final Logger logger = System.getLogger(RecyclerMetrics.class.getName());
  /**
   * Requests this server has started, counted by the engine from the moment the recycler starts
   * (at 0): the load that the default Prometheus preset reads, on every adapter.
   */
  public static final String REQUESTS = "respread.requests";
  public static final String CONNECTIONS_OPENED = "respread.connections.opened";
  public static final String CONNECTIONS_DRAINED = "respread.connections.drained";
  public static final String CONNECTIONS_FORCED = "respread.connections.forced";
  public static final String DRAINS_DEFERRED = "respread.drains.deferred";
  public static final String CONNECTION_LIFETIME = "respread.connection.lifetime";
  public static final String CONNECTION_REQUESTS = "respread.connection.requests";
  public static final String CONNECTIONS_OPEN = "respread.connections.open";
  public static final String CONNECTIONS_DRAINING = "respread.connections.draining";
  public static final String LOAD_RATIO = "respread.load.ratio";
  public static final String LOAD_MEMBERS = "respread.load.members";
  public static final String LOAD_VIEW_STALENESS = "respread.load.view.staleness";
  public static final String LOAD_VIEW_USABLE = "respread.load.view.usable";
  /**
   * Drains the load rule may still start before its churn allowance refills: a pod that reads hot
   * with this at 0 waits for the allowance, not for the view.
   */
  public static final String LOAD_DRAIN_ALLOWANCE = "respread.load.drain.allowance";
  /**
   * 1 when the recycler drains connections, 0 when {@code RESPREAD_ENABLED=false} leaves it
   * counting only: what tells an alert on imbalance that respread is meant to act.
   */
  public static final String ENABLED = "respread.enabled";
  /** Published by the load views themselves: their state per source ({@code source}, {@code state}). */
  public static final String LOAD_VIEW_STATE = "respread.load.view.state";
  /** Published by the load views themselves: failed reads ({@code source}, {@code cause}). */
  public static final String LOAD_VIEW_FAILURES = "respread.load.view.failures";

  /** Held while a name is chosen and the meters that claim it are registered. */
  private static final Object REGISTRATION = new Object();

  private final MeterRegistry registry;
  private final String server;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter[] opened;
  private final Counter[][] drained;
  private final Counter[] forced;
  private final Counter[] deferred;
  private final Timer[] lifetime;
  private final DistributionSummary[] requests;

  /**
   * Registers the meters.
   *
   * <p>Micrometer hands back the meter already registered under the same name and tags, so a
   * second live recycler with the same name on the same registry (two servlet filters both built
   * from the environment, on the global registry) would report the first one's gauges. It gets
   * {@code name-2} instead, and so on; {@link #close()} removes the meters, so the tag values
   * stay as few as the live recyclers.
   *
   * @param name the wanted value of the {@code server} tag, which tells recyclers in one JVM apart
   */
  public RecyclerMetrics(MeterRegistry registry, String name) {
    this.registry = registry;
    synchronized (REGISTRATION) {
      this.server = freeName(registry, name);
      Tags base = Tags.of("server", server);
    Protocol[] protocols = Protocol.values();
    RecycleReason[] reasons = RecycleReason.values();
    opened = new Counter[protocols.length];
    drained = new Counter[reasons.length][protocols.length];
    forced = new Counter[protocols.length];
    lifetime = new Timer[protocols.length];
    requests = new DistributionSummary[protocols.length];
    deferred = new Counter[reasons.length];
    for (Protocol p : protocols) {
      Tags tags = base.and("protocol", p.tagValue());
      int i = p.ordinal();
      opened[i] = Counter.builder(CONNECTIONS_OPENED).tags(tags)
          .description("Connections registered with the recycler").register(registry);
      forced[i] = Counter.builder(CONNECTIONS_FORCED).tags(tags)
          .description("Drained connections closed hard because requests were still in flight "
              + "when the grace ran out")
          .register(registry);
      lifetime[i] = Timer.builder(CONNECTION_LIFETIME).tags(tags)
          .description("How long connections stayed open").register(registry);
      requests[i] = DistributionSummary.builder(CONNECTION_REQUESTS).tags(tags).baseUnit("requests")
          .description("Requests served per connection").register(registry);
      for (RecycleReason r : reasons) {
        drained[r.ordinal()][i] = Counter.builder(CONNECTIONS_DRAINED)
            .tags(tags.and("reason", r.tagValue()))
            .description("Connections the recycler started to drain").register(registry);
      }
    }
    for (RecycleReason r : reasons) {
      deferred[r.ordinal()] = Counter.builder(DRAINS_DEFERRED)
          .tags(base.and("reason", r.tagValue()))
          .description("Drains a trigger asked for that the drain budget held back")
          .register(registry);
    }
    for (Counter[] byProtocol : drained) {
      meters.addAll(Arrays.asList(byProtocol));
    }
    meters.addAll(Arrays.asList(opened));
    meters.addAll(Arrays.asList(forced));
    meters.addAll(Arrays.asList(deferred));
    meters.addAll(Arrays.asList(lifetime));
    meters.addAll(Arrays.asList(requests));
    }
  }

  private static String freeName(MeterRegistry registry, String name) {
    String candidate = name;
    for (int i = 2; registry.find(CONNECTIONS_OPENED).tag("server", candidate).meter() != null;
        i++) {
      candidate = name + '-' + i;
    }
    if (!candidate.equals(name)) {
      logger.log(Level.WARNING, "Another open respread recycler reports as server \"{0}\" to "
          + "this meter registry; this one reports as \"{1}\". Give each recycler its own name.",
          name, candidate);
    }
    return candidate;
  }

  /** The {@code server} tag: the wanted name, with a suffix if another live recycler had it. */
  public String server() {
    return server;
  }

  /** Removes every meter, so that a closed engine is no longer reachable from the registry. */
  public void close() {
    synchronized (REGISTRATION) {
      for (Meter m : meters) {
        registry.remove(m);
      }
      meters.clear();
    }
  }

  /** Registers the gauges and the request counter, which read live values from the engine. */
  public <T> void gauges(T engine, boolean enabled,
      ToDoubleFunction<T> requests, ToDoubleFunction<T> open, ToDoubleFunction<T> draining,
      Supplier<Number> loadRatio, Supplier<Number> members, Supplier<Number> staleness,
      Supplier<Number> usable, Supplier<Number> drainAllowance) {
    Tags base = Tags.of("server", server);
    List<Meter> added = new ArrayList<>();
    added.add(FunctionCounter.builder(REQUESTS, engine, requests).tags(base).baseUnit("requests")
        .description("Requests this server has started; present at 0 from start-up, so that a "
            + "new pod has a series before its first request")
        .register(registry));
    double on = enabled ? 1.0 : 0.0;
    added.add(Gauge.builder(ENABLED, () -> on).tags(base)
        .description("1 when the recycler drains connections, 0 when RESPREAD_ENABLED=false "
            + "leaves it counting only")
        .register(registry));
    added.add(Gauge.builder(CONNECTIONS_OPEN, engine, open).tags(base)
        .description("Connections open now").register(registry));
    added.add(Gauge.builder(CONNECTIONS_DRAINING, engine, draining).tags(base)
        .description("Connections draining now").register(registry));
    added.add(Gauge.builder(LOAD_RATIO, loadRatio).tags(base)
        .description("This pod's load over the Service mean, as last read; NaN when unknown")
        .register(registry));
    added.add(Gauge.builder(LOAD_MEMBERS, members).tags(base)
        .description("Ready members of the Service, as last read; 0 when unknown")
        .register(registry));
    added.add(Gauge.builder(LOAD_VIEW_STALENESS, staleness).tags(base).baseUnit("seconds")
        .description("Age of the load view's latest load values; NaN when there are none")
        .register(registry));
    added.add(Gauge.builder(LOAD_VIEW_USABLE, usable).tags(base)
        .description("1 when the load controller trusts the view, 0 when it falls back to the "
            + "age and request rules, NaN without a view")
        .register(registry));
    added.add(Gauge.builder(LOAD_DRAIN_ALLOWANCE, drainAllowance).tags(base)
        .description("Drains the load rule may still start before its churn allowance refills; "
            + "NaN until the pod first runs hot, and without a view")
        .register(registry));
    synchronized (REGISTRATION) {
      meters.addAll(added);
    }
  }

  void opened(Protocol p) {
    opened[p.ordinal()].increment();
  }

  void drained(RecycleReason r, Protocol p) {
    drained[r.ordinal()][p.ordinal()].increment();
  }

  void forced(Protocol p) {
    forced[p.ordinal()].increment();
  }

  void deferred(RecycleReason r) {
    deferred[r.ordinal()].increment();
  }

  void closed(Protocol p, long lifetimeNanos, long requestCount) {
    lifetime[p.ordinal()].record(lifetimeNanos, TimeUnit.NANOSECONDS);
    requests[p.ordinal()].record(requestCount);
  }
}
