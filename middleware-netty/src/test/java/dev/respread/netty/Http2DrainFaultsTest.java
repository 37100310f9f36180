package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.RecyclingConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP/2 drains against clients and streams that do not make it easy, on a real server. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class Http2DrainFaultsTest extends RealServerTest {
  private static final long MAX_STREAM_ID = Integer.MAX_VALUE;

  private NettyH2Client client;

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
  }

  private void start(RecyclingConfig config) throws Exception {
    start(TestServer.Shape.H2_FRAME_CODEC, config);
  }

  private static void awaitClosed(NettyH2Client.Conn conn) throws InterruptedException {
    assertThat(conn.channel.closeFuture().await(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void clientThatKeepsOpeningStreamsAfterTheFirstGoAwayIsServedUpToTheFinalLastStreamId()
      throws Exception {
    start(Recyclers.capOnly(3).build());
    client = new NettyH2Client(server.port(), null);
    NettyH2Client.Conn conn = client.connect();
    List<CompletableFuture<NettyH2Client.Response>> responses = new ArrayList<>();
    // Ignores GOAWAY and keeps opening streams on the same connection until it closes.
    for (int i = 0; i < 5000 && conn.channel.isActive(); i++) {
      responses.add(client.request(conn, "/", false));
      Thread.sleep(0, 200_000);
    }
    awaitClosed(conn);

    assertThat(client.goAwayLastStreamIds).hasSize(2);
    assertThat(client.goAwayLastStreamIds.get(0)).isEqualTo(MAX_STREAM_ID);
    long last = client.goAwayLastStreamIds.get(1);
    // Streams opened after the first GOAWAY were accepted, not refused.
    assertThat(last).isGreaterThan(5);
    int served = 0;
    int firstStreamId = Integer.MAX_VALUE;
    for (CompletableFuture<NettyH2Client.Response> f : responses) {
      try {
        NettyH2Client.Response r = f.get(30, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.streamId()).isLessThanOrEqualTo((int) last);
        firstStreamId = Math.min(firstStreamId, r.streamId());
        served++;
      } catch (ExecutionException e) {
        // Only streams the server never processed fail: above the final last-stream-id, or
        // refused by the client's own codec after that GOAWAY (RFC 9113 §6.8).
        if (e.getCause() instanceof NettyH2Client.StreamFailed) {
          int streamId = ((NettyH2Client.StreamFailed) e.getCause()).streamId;
          assertThat(streamId).isGreaterThan((int) last);
        } else {
          assertThat(e.getCause()).isInstanceOf(NettyH2Client.Unsent.class);
        }
      }
    }
    // Every stream up to the last one was served: none was refused.
    assertThat(served).isEqualTo((last - firstStreamId) / 2 + 1);
    recyclers.awaitAllClosed();
    assertThat(recyclers.requestsOnClosedConnections()).isEqualTo(served);
    assertThat(recyclers.forced()).isZero();
  }

  @Test
  void pingAckThatNeverComesStillLeadsToTheFinalGoAwayAfterTheTimeout() throws Exception {
    start(Recyclers.capOnly(2).goAwayPingTimeout(Duration.ofMillis(300)).build());
    client = new NettyH2Client(server.port(), null, false, 65_535);
    NettyH2Client.Conn conn = client.connect();
    NettyH2Client.Response first = client.request(conn, "/").get(30, TimeUnit.SECONDS);
    NettyH2Client.Response second = client.request(conn, "/").get(30, TimeUnit.SECONDS);

    awaitClosed(conn);

    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(client.goAwayLastStreamIds).containsExactly(MAX_STREAM_ID,
        (long) second.streamId());
    assertThat(recyclers.forced()).isZero();
  }

  @Test
  void fourMebibyteFlowControlledResponseInFlightAtTheDrainArrivesWhole() throws Exception {
    int size = 4 * 1024 * 1024;
    start(Recyclers.capOnly(2).build());
    // A 16 KiB stream window: the response needs hundreds of WINDOW_UPDATEs to get through.
    client = new NettyH2Client(server.port(), null, true, 16 * 1024);
    NettyH2Client.Conn conn = client.connect();
    List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    client.recordGoAwaysInto(events);
    CompletableFuture<NettyH2Client.Response> big = client.request(conn, "/bytes/" + size);
    big.whenComplete((r, e) -> events.add("big response done"));
    // The second request reaches the cap and starts the drain while the big one streams.
    CompletableFuture<NettyH2Client.Response> small = client.request(conn, "/");
    small.whenComplete((r, e) -> events.add("small response done"));

    assertThat(big.get(60, TimeUnit.SECONDS).bodyBytes()).isEqualTo(size);
    NettyH2Client.Response second = small.get(30, TimeUnit.SECONDS);
    assertThat(second.status()).isEqualTo(200);
    awaitClosed(conn);

    assertThat(client.goAwayLastStreamIds).containsExactly(MAX_STREAM_ID,
        (long) second.streamId());
    assertThat(client.firstGoAwayBefore(events, "big response done")).isTrue();
    assertThat(recyclers.forced()).isZero();
  }

  @Test
  void streamThatOutlivesTheGraceIsClosedHardAndCounted() throws Exception {
    start(Recyclers.capOnly(2).maxConnectionAgeGrace(Duration.ofMillis(300)).build());
    client = new NettyH2Client(server.port(), null);
    NettyH2Client.Conn conn = client.connect();
    CompletableFuture<NettyH2Client.Response> slow = client.request(conn, "/sleep/60000");
    NettyH2Client.Response quick = client.request(conn, "/").get(30, TimeUnit.SECONDS);

    awaitClosed(conn);

    assertThat(quick.status()).isEqualTo(200);
    assertThat(slow).failsWithin(30, TimeUnit.SECONDS);
    assertThat(client.goAwayLastStreamIds).containsExactly(MAX_STREAM_ID,
        (long) quick.streamId());
    recyclers.awaitAllClosed();
    assertThat(recyclers.forced()).isEqualTo(1);
  }
}
