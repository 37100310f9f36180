package dev.respread.demo;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientTransportFilter;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * gRPC clients that behave like most real ones: grpc-java with the default {@code pick_first}
 * policy and one connection to the Service address, each sending unary calls at its own steady
 * rate (the client-side mode's clients balance over the pods instead, see
 * {@link ServiceBalancer#channel}). Each counts its failures and the connections it has to replace.
 */
final class ClientFleet implements AutoCloseable {
  private static final byte[] REQUEST = new byte[0];

  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
    Thread t = new Thread(r, "client-timer");
    t.setDaemon(true);
    return t;
  });
  private final List<Client> clients = new ArrayList<>();
  /** Calls sent but not yet answered, so that {@link #stop} can wait for every outcome. */
  private final AtomicLong inFlight = new AtomicLong();
  private final LongAdder succeeded = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Map<Status.Code, LongAdder> failuresByCode = new ConcurrentHashMap<>();
  /** Every call's latency, succeeded or failed, from send to outcome. */
  private final LatencyHistogram latency = new LatencyHistogram();
  /** Calls sent from this {@link System#nanoTime()} on count in {@link #latency}. */
  private final long latencyFromNanos;
  /** Connections that were ready and have ended. */
  private final LongAdder ended = new LongAdder();
  /** {@link #reconnects()} when {@link #stop} was called; -1 before. */
  private volatile long reconnectsAtStop = -1;
  /** Marks the attributes of a transport that became ready. */
  private static final Attributes.Key<Boolean> READY = Attributes.Key.create("ready");

  /** Starts a client per entry of {@code ratesPerSecond}, all connecting to {@code service}. */
  ClientFleet(InetSocketAddress service, int[] ratesPerSecond) {
    this(client -> NettyChannelBuilder.forAddress(service), ratesPerSecond, Duration.ZERO);
  }

  /**
   * Starts a client per entry of {@code ratesPerSecond}, client {@code i} on a channel built by
   * {@code channels.apply(i)} ({@link ServiceBalancer#channel}). Only calls sent
   * {@code latencyAfter} or later count in {@link #latency()}: a fresh JVM's first seconds (class
   * loading, the JIT) and every client's first connection are the same cost whatever the mode,
   * and would weigh on the first mode of a run alone.
   */
  ClientFleet(IntFunction<NettyChannelBuilder> channels, int[] ratesPerSecond,
      Duration latencyAfter) {
    this.latencyFromNanos = System.nanoTime() + latencyAfter.toNanos();
    for (int i = 0; i < ratesPerSecond.length; i++) {
      Client c = new Client(channels.apply(i));
      clients.add(c);
      long periodMicros = 1_000_000L / ratesPerSecond[i];
      // Spread the clients' first calls over a period, so that they do not send in lockstep.
      long initialDelay = periodMicros * i / ratesPerSecond.length;
      c.task = timer.scheduleAtFixedRate(c::call, initialDelay, periodMicros,
          TimeUnit.MICROSECONDS);
    }
  }

  long succeeded() {
    return succeeded.sum();
  }

  long failed() {
    return failed.sum();
  }

  /** Failed calls by status code, for the report. */
  Map<String, Long> failuresByCode() {
    Map<String, Long> m = new TreeMap<>();
    failuresByCode.forEach((code, n) -> m.put(code.name(), n.sum()));
    return m;
  }

  /** The latency of every call sent so far, from the time the constructor was told. */
  LatencyHistogram latency() {
    return latency;
  }

  /**
   * Connections the clients had to replace: those that became ready and then ended while the
   * clients ran, each followed by a new one. It is the connections opened beyond the first one
   * each for a {@code pick_first} client; a {@code round_robin} client's connections to pods it
   * newly resolved are not reconnects. Fixed once {@link #stop} returns, before the clients'
   * own shutdown ends the rest.
   */
  long reconnects() {
    long stopped = reconnectsAtStop;
    return stopped >= 0 ? stopped : ended.sum();
  }

  /** Stops sending and waits until every call sent has succeeded or failed. */
  void stop() throws InterruptedException {
    reconnectsAtStop = ended.sum();
    for (Client c : clients) {
      c.task.cancel(false);
    }
    timer.shutdown();
    timer.awaitTermination(10, TimeUnit.SECONDS);
    // Each call has a 10 s deadline, so every outcome is in well before this.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (inFlight.get() > 0) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            inFlight.get() + " calls still unanswered 30 s after the clients stopped");
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void close() throws InterruptedException {
    timer.shutdownNow();
    for (Client c : clients) {
      c.channel.shutdownNow();
    }
    for (Client c : clients) {
      c.channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private void record(long startNanos) {
    if (startNanos - latencyFromNanos >= 0) {
      latency.record(System.nanoTime() - startNanos);
    }
  }

  private final class Client {
    final ManagedChannel channel;
    ScheduledFuture<?> task;

    Client(NettyChannelBuilder builder) {
      this.channel = builder
          .usePlaintext()
          .addTransportFilter(new ClientTransportFilter() {
            @Override
            public Attributes transportReady(Attributes attributes) {
              return attributes.toBuilder().set(READY, true).build();
            }

            @Override
            public void transportTerminated(Attributes attributes) {
              if (attributes.get(READY) != null) {
                ended.increment();
              }
            }
          })
          .build();
    }

    void call() {
      inFlight.incrementAndGet();
      long start = System.nanoTime();
      Futures.addCallback(
          ClientCalls.futureUnaryCall(
              channel.newCall(HelloService.HELLO,
                  CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)),
              REQUEST),
          new FutureCallback<byte[]>() {
            @Override
            public void onSuccess(byte[] pod) {
              record(start);
              succeeded.increment();
              inFlight.decrementAndGet();
            }

            @Override
            public void onFailure(Throwable t) {
              record(start);
              failed.increment();
              failuresByCode.computeIfAbsent(Status.fromThrowable(t).getCode(),
                  k -> new LongAdder()).increment();
              inFlight.decrementAndGet();
            }
          },
          MoreExecutors.directExecutor());
    }
  }
}
