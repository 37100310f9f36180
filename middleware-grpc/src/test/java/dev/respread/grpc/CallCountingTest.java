package dev.respread.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import dev.respread.TrackedConnection;
import dev.respread.grpc.internal.ConnectionIndex;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each call is counted on its own connection once when it starts and once when it ends, however
 * it ends. Recycling is effectively off here, so that every call shares one connection.
 */
class CallCountingTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final Set<TrackedConnection> seen = ConcurrentHashMap.newKeySet();
  private ConnectionRecycler recycler;
  private Server server;
  private ClientChannels client;

  @BeforeEach
  void startServer() throws Exception {
    recycler = ConnectionRecycler.builder(RecyclingConfig.builder()
            .maxConnectionAge(Duration.ofHours(1)).build())
        .meterRegistry(new SimpleMeterRegistry()).build();
    // Added before configure(), so it runs inside respread's interceptor and sees its handle.
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
          ServerCallHandler<Q, R> next) {
        seen.add(call.getAttributes().get(ConnectionIndex.TRACKED));
        return next.startCall(call, headers);
      }
    };
    NettyServerBuilder builder = NettyServerBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(EchoService.definition("a", timer))
        .intercept(capture);
    server = GrpcRecycling.configure(builder, recycler).build().start();
    client = new ClientChannels(server.getPort(), "pick_first");
  }

  @AfterEach
  void tearDown() throws Exception {
    client.close();
    server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    recycler.close();
    timer.shutdownNow();
  }

  @Test
  void unaryCallIsCountedOnceAndFinished() throws Exception {
    EchoService.unary(client.channel, 10);

    assertCounted(1);
  }

  @Test
  void serverStreamingCallIsCountedOnceAndFinished() throws Exception {
    new Traffic().serverStreaming(client.channel, 1, 1, 3, 1).run();

    assertCounted(1);
  }

  @Test
  void bidiCallIsCountedOnceAndFinished() throws Exception {
    Traffic.bidiCall(client.channel, 3);

    assertCounted(1);
  }

  @Test
  void bidiCallCancelledByTheClientIsFinished() throws Exception {
    ClientCall<byte[], byte[]> call = client.channel.newCall(EchoService.BIDI, CallOptions.DEFAULT);
    Traffic.Echoes echoes = new Traffic.Echoes();
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, echoes);
    requests.onNext(new byte[] {1});
    echoes.awaitEcho(1);

    call.cancel("test cancels", null);

    assertCounted(1);
  }

  @Test
  void callPastItsDeadlineIsFinished() throws Exception {
    assertThatThrownBy(() -> ClientCalls.blockingServerStreamingCall(client.channel,
            EchoService.STREAM, CallOptions.DEFAULT.withDeadlineAfter(200, TimeUnit.MILLISECONDS),
            EchoService.streamRequest(2, 10_000)).forEachRemaining(m -> {}))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

    assertCounted(1);
  }

  @Test
  void callThatFailsWithAStatusIsFinished() throws Exception {
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(client.channel, EchoService.FAIL,
            CallOptions.DEFAULT, new byte[0]))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));

    assertCounted(1);
  }

  @Test
  void callWhoseHandlerThrowsIsFinished() throws Exception {
    assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(client.channel, EchoService.THROW,
            CallOptions.DEFAULT, new byte[0]))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));

    assertCounted(1);
  }

  @Test
  void callsOfEveryKindOnOneConnectionAddUp() throws Exception {
    new Traffic()
        .unary(client.channel, 2, 5, 1)
        .serverStreaming(client.channel, 2, 5, 2, 1)
        .bidi(client.channel, 2, 5, 2)
        .run();

    assertCounted(30);
  }

  /** One connection carried the calls: {@code calls} started, and none is still in flight. */
  private void assertCounted(long calls) throws InterruptedException {
    assertThat(seen).as("connections the calls ran on").hasSize(1);
    TrackedConnection connection = seen.iterator().next();
    assertThat(connection).as("the connection's handle").isNotNull();
    assertThat(connection.requests()).as("calls started").isEqualTo(calls);
    // The finish is reported on grpc's executor just after the client sees the call end.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (connection.inFlightRequests() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(connection.inFlightRequests()).as("calls in flight").isZero();
  }
}
