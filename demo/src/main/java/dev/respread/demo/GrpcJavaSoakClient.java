package dev.respread.demo;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * grpc-java clients as most are written: a channel per client with the default
 * {@code pick_first} policy (one connection to the Service address, reconnecting after a
 * GOAWAY), each with a few calls at a time of one kind: unary, server streaming
 * ({@value HelloService#STREAM_MESSAGES} responses) or bidi ({@value HelloService#STREAM_MESSAGES}
 * requests, each answered before the next is sent). A call succeeds when it ends with
 * {@code OK} and every response it was owed.
 */
final class GrpcJavaSoakClient implements SoakClient {
  enum Kind {
    UNARY("unary"), SERVER_STREAMING("server-streaming"), BIDI("bidi");

    final String label;

    Kind(String label) {
      this.label = label;
    }
  }

  private static final byte[] REQUEST = new byte[0];
  private static final long DEADLINE_SECONDS = 30;

  private final InetSocketAddress service;
  private final Kind kind;
  private final int channels;
  private final int callsPerChannel;
  private final SoakStats stats;
  private final List<ManagedChannel> open = new ArrayList<>();
  private final AtomicLong inFlight = new AtomicLong();
  private volatile boolean running;

  GrpcJavaSoakClient(InetSocketAddress service, Kind kind, int channels, int callsPerChannel,
      SoakStats.KillWindows kills) {
    this.service = service;
    this.kind = kind;
    this.channels = channels;
    this.callsPerChannel = callsPerChannel;
    this.stats = new SoakStats("grpc-java " + kind.label,
        "gRPC, " + channels + " channels x " + callsPerChannel, kills);
  }

  @Override
  public void start() {
    running = true;
    ClientInterceptor connectionHeader = new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method,
          CallOptions options, Channel next) {
        return new SimpleForwardingClientCall<Q, R>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            super.start(new SimpleForwardingClientCallListener<R>(listener) {
              @Override
              public void onHeaders(Metadata h) {
                stats.connection(h.get(HelloService.CONNECTION_KEY));
                super.onHeaders(h);
              }
            }, headers);
          }
        };
      }
    };
    for (int c = 0; c < channels; c++) {
      ManagedChannel channel = NettyChannelBuilder.forAddress(service).usePlaintext()
          .intercept(connectionHeader).build();
      open.add(channel);
      for (int i = 0; i < callsPerChannel; i++) {
        next(channel);
      }
    }
  }

  private void next(ManagedChannel channel) {
    if (!running) {
      return;
    }
    inFlight.incrementAndGet();
    long start = System.nanoTime();
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS,
        TimeUnit.SECONDS);
    Outcome outcome = new Outcome(channel, start);
    switch (kind) {
      case UNARY -> ClientCalls.asyncUnaryCall(channel.newCall(HelloService.HELLO, options),
          REQUEST, outcome);
      case SERVER_STREAMING -> ClientCalls.asyncServerStreamingCall(
          channel.newCall(HelloService.STREAM, options), REQUEST, outcome);
      case BIDI -> ClientCalls.asyncBidiStreamingCall(
          channel.newCall(HelloService.CHAT, options), outcome).onNext(REQUEST);
      default -> throw new AssertionError(kind);
    }
  }

  /** One call's responses and end; for bidi, it sends the next request on each response. */
  private final class Outcome implements ClientResponseObserver<byte[], byte[]> {
    private final ManagedChannel channel;
    private final long start;
    private ClientCallStreamObserver<byte[]> requests;
    private int responses;

    Outcome(ManagedChannel channel, long start) {
      this.channel = channel;
      this.start = start;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<byte[]> requestStream) {
      this.requests = requestStream;
    }

    @Override
    public void onNext(byte[] value) {
      responses++;
      if (kind == Kind.BIDI) {
        if (responses < HelloService.STREAM_MESSAGES) {
          requests.onNext(REQUEST);
        } else {
          requests.onCompleted();
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      Status s = Status.fromThrowable(t);
      stats.failed(start, s.getCode().name(), String.valueOf(s.getDescription()));
      done();
    }

    @Override
    public void onCompleted() {
      int owed = kind == Kind.UNARY ? 1 : HelloService.STREAM_MESSAGES;
      if (responses == owed) {
        stats.succeeded();
      } else {
        stats.failed(start, "OK_SHORT", responses + " of " + owed + " responses");
      }
      done();
    }

    private void done() {
      inFlight.decrementAndGet();
      next(channel);
    }
  }

  @Override
  public void stop() throws InterruptedException {
    running = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS + 5);
    while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
      Thread.sleep(10);
    }
    for (ManagedChannel c : open) {
      c.shutdownNow();
    }
    for (ManagedChannel c : open) {
      c.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public List<SoakStats> stats() {
    return List.of(stats);
  }
}
