package dev.respread.testing;

import dev.respread.ConnectionRecycler;
import dev.respread.LoadView;
import dev.respread.Protocol;
import dev.respread.RecyclingConfig;
import dev.respread.TrackedConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.function.DoubleSupplier;

/** A recycler on a fake clock with a private registry, for rule tests. */
public final class EngineHarness implements AutoCloseable {
  public final FakeClock clock;
  public final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  public final ConnectionRecycler recycler;

  public EngineHarness(RecyclingConfig config) {
    this(config, null, () -> 0.5);
  }

  public EngineHarness(RecyclingConfig config, LoadView view) {
    this(config, view, () -> 0.5);
  }

  /** {@code random} 0.5 means no jitter; 0.0 the shortest draw; values near 1 the longest. */
  public EngineHarness(RecyclingConfig config, LoadView view, DoubleSupplier random) {
    this(new FakeClock(), config, view, random);
  }

  /** A harness on {@code clock}, which a view built before the harness can share. */
  public EngineHarness(FakeClock clock, RecyclingConfig config, LoadView view,
      DoubleSupplier random) {
    this.clock = clock;
    ConnectionRecycler.Builder b = ConnectionRecycler.builder(config)
        .ticker(clock).scheduler(clock.scheduler()).meterRegistry(registry).random(random);
    if (view != null) {
      b.loadView(view);
    }
    recycler = b.build();
  }

  public TrackedConnection open(RecordingConnection c, Protocol p) {
    return recycler.register(c, p);
  }

  public void advance(Duration d) {
    clock.advance(d);
  }

  public double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counters();
    return c.stream().mapToDouble(x -> x.count()).sum();
  }

  /** Serves {@code n} requests on {@code c}, one at a time. */
  public static void serve(TrackedConnection c, int n) {
    for (int i = 0; i < n; i++) {
      c.requestStarted();
      c.requestFinished();
    }
  }

  @Override
  public void close() {
    recycler.close();
  }
}
