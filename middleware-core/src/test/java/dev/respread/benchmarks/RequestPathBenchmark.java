package dev.respread.benchmarks;

import dev.respread.ConnectionRecycler;
import dev.respread.DrainableConnection;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import dev.respread.TrackedConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request cost of respread: what an adapter calls for every request. Run with
 * {@code mvn -B -pl middleware-core -Pjmh test-compile exec:exec} (see BENCHMARKS.md); the
 * {@code gc} profiler shows the allocation per operation, which should be zero.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestPathBenchmark {

  /** 0: no request cap; otherwise a cap so large it is never reached during the run. */
  @Param({"0", "1000000000"})
  public long maxRequests;

  private ConnectionRecycler recycler;
  private TrackedConnection connection;

  @Setup(Level.Trial)
  public void setUp() {
    recycler = ConnectionRecycler.builder(RecyclingConfig.builder()
            .maxConnectionAge(Duration.ofDays(1))
            .maxRequestsPerConnection(maxRequests)
            .build())
        .meterRegistry(new SimpleMeterRegistry())
        .build();
    connection = recycler.register(new DrainableConnection() {
      @Override
      public void drain(RecycleReason reason, Duration grace) {}

      @Override
      public void forceClose() {}
    }, Protocol.HTTP_2);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    connection.closed();
    recycler.close();
  }

  /** One request on a connection that one thread serves, as on an event loop. */
  @Benchmark
  public boolean request() {
    connection.requestStarted();
    boolean close = connection.closeAfterResponse();
    connection.requestFinished();
    return close;
  }

  /** The same, with two threads sharing one connection, as when calls finish on an executor. */
  @Benchmark
  @Threads(2)
  public boolean requestContended() {
    return request();
  }

  /** The baseline: a single atomic increment and decrement on a shared counter. */
  @Benchmark
  public int atomicBaseline(Counter counter) {
    counter.value.incrementAndGet();
    return counter.value.decrementAndGet();
  }

  /** A shared atomic counter for {@link #atomicBaseline}. */
  @State(Scope.Benchmark)
  public static class Counter {
    final java.util.concurrent.atomic.AtomicInteger value =
        new java.util.concurrent.atomic.AtomicInteger();
  }
}
