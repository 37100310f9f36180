package dev.respread.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What clients see when a drain meets long calls, large responses, new calls and a shutdown, on
 * both grpc-netty flavours.
 */
class GrpcDrainFaultsTest {
  private final Resources resources = new Resources();
  private RecyclingServer server;
  private ClientChannels client;

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }

  /** Starts a server recycling with {@code config}, and a pick_first client. */
  private void start(ServerFlavour flavour, RecyclingConfig.Builder config) throws Exception {
    server = resources.add(RecyclingServer.start(flavour, "a", config.build()));
    client = resources.add(new ClientChannels(server.port(), "pick_first"));
  }

  @ParameterizedTest
  @EnumSource(ServerFlavour.class)
  void bidiCallLongerThanTheGraceIsClosedHardCountedAndEndsUnavailable(ServerFlavour flavour)
      throws Exception {
    start(flavour, RecyclingServer.fastRecycling()
        .maxRequestsPerConnection(0)
        .maxConnectionAgeGrace(Duration.ofMillis(500)));
    ClientCall<byte[], byte[]> call = client.channel.newCall(EchoService.BIDI, CallOptions.DEFAULT);
    Traffic.Echoes echoes = new Traffic.Echoes();
    StreamObserver<byte[]> requests = ClientCalls.asyncBidiStreamingCall(call, echoes);
    requests.onNext(new byte[] {1});
    echoes.awaitEcho(1);

    // The call stays open: the connection reaches its age (~300 ms), drains, and its grace
    // (500 ms) runs out with the call still in flight.
    await(() -> echoes.error() != null);

    assertThat(server.drained(RecycleReason.MAX_AGE)).isGreaterThanOrEqualTo(1);
    assertThat(server.forced()).as("connections closed hard with calls in flight").isEqualTo(1);
    Status status = Status.fromThrowable(echoes.error());
    System.out.println("bidi call past the grace ended with " + status);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    // The channel has moved on to a new connection.
    assertThat(EchoService.serverOf(EchoService.unary(client.channel, 0))).isEqualTo("a");
  }

  @ParameterizedTest
  @EnumSource(ServerFlavour.class)
  void largeResponsesInFlightAtTheDrainArriveWhole(ServerFlavour flavour) throws Exception {
    start(flavour, RecyclingServer.fastRecycling()
        .maxRequestsPerConnection(3));

    // 4 MiB is far above HTTP/2's 64 KiB initial windows: each response is still being written,
    // under flow control, when the call that reaches the cap starts the drain.
    Traffic traffic = new Traffic().unary(client.channel, 3, 8, 4 << 20).run();

    assertThat(traffic.failures).as("failed calls").isEmpty();
    assertThat(traffic.succeeded).hasValue(24);
    assertThat(server.drained(RecycleReason.MAX_REQUESTS)).isGreaterThanOrEqualTo(4);
    assertThat(client.connections()).as("client reconnects").isGreaterThanOrEqualTo(4);
    assertThat(server.forced()).isZero();
  }

  @ParameterizedTest
  @EnumSource(ServerFlavour.class)
  void callsTheClientStartsThroughTheFirstGoAwayAreServed(ServerFlavour flavour) throws Exception {
    start(flavour, RecyclingServer.fastRecycling()
        .maxConnectionAge(Duration.ofMinutes(10))
        .maxRequestsPerConnection(5)
        .jitter(0));

    // 16 callers keep 16 calls in flight: when the 5th call on a connection starts the drain,
    // the client is still opening streams on it until the first GOAWAY reaches it. That GOAWAY
    // names stream 2^31-1, so those streams are accepted and served (gRFC A9's two-phase
    // shutdown); a one-shot GOAWAY with the last stream seen would refuse them.
    Traffic traffic = new Traffic().unary(client.channel, 16, 40, 16).run();

    assertThat(traffic.failures).as("failed calls").isEmpty();
    assertThat(traffic.succeeded).hasValue(16 * 40);
    assertThat(server.drained(RecycleReason.MAX_REQUESTS)).isGreaterThanOrEqualTo(20);
    // Recorded when a connection closes, just after its last call.
    await(() -> server.recycler.openConnections() <= 1);
    assertThat(server.maxCallsPerConnection())
        .as("calls served by one connection, against a cap of 5")
        .isGreaterThan(5);
    assertThat(server.forced()).isZero();
  }

  @ParameterizedTest
  @EnumSource(ServerFlavour.class)
  void serverShutdownWhileConnectionsDrainLetsTheirCallsFinish(ServerFlavour flavour)
      throws Exception {
    start(flavour, RecyclingServer.fastRecycling()
        .maxRequestsPerConnection(0));
    // Four streams of 2 s each: the connection drains at its age (~300 ms) while they run.
    CompletableFuture<Traffic> streams = CompletableFuture.supplyAsync(() -> {
      try {
        return new Traffic().serverStreaming(client.channel, 4, 1, 20, 100).run();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await(() -> server.drained(RecycleReason.MAX_AGE) >= 1);

    CompletableFuture<Void> recyclerDone = server.recycler.shutdown();
    server.server.shutdown();

    Traffic traffic = streams.get(60, TimeUnit.SECONDS);
    assertThat(traffic.failures).as("failed calls").isEmpty();
    assertThat(traffic.succeeded).hasValue(4);
    assertThat(server.server.awaitTermination(30, TimeUnit.SECONDS)).as("server terminated")
        .isTrue();
    recyclerDone.get(30, TimeUnit.SECONDS);
    assertThat(server.recycler.openConnections()).isZero();
    assertThat(server.forced()).isZero();
  }

  @ParameterizedTest
  @EnumSource(ServerFlavour.class)
  void connectionThatNeverStartsHttp2IsClosedWhenTheGraceEnds(ServerFlavour flavour)
      throws Exception {
    start(flavour, RecyclingServer.fastRecycling()
        .maxConnectionAgeGrace(Duration.ofMillis(500)));
    try (Socket silent = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
      silent.setSoTimeout(30_000);
      // The server sends its HTTP/2 settings, the client never answers. The drain at ~300 ms
      // waits for grpc's transport, which never becomes ready: only the end of the grace closes
      // the connection. readAllBytes() returns at the end of the stream, or times out.
      silent.getInputStream().readAllBytes();
    }
    await(() -> server.recycler.openConnections() == 0);
    assertThat(server.drained(RecycleReason.MAX_AGE)).isEqualTo(1);
    assertThat(server.forced()).as("closes that failed calls").isZero();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition met within 30 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
