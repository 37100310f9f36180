package dev.respread.grpc.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecycleReason;
import dev.respread.RecyclingConfig;
import dev.respread.grpc.internal.ConnectionIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** When a drain closes the connection, relative to grpc's transport becoming ready. */
class NettyConnectionTest {
  private final ConnectionRecycler recycler = ConnectionRecycler.builder(RecyclingConfig.builder()
          .maxConnectionAge(Duration.ofHours(1)).build())
      .meterRegistry(new SimpleMeterRegistry()).build();
  private final ConnectionIndex index = new ConnectionIndex(recycler);
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private final NettyConnection connection = NettyConnection.attach(channel, index);

  @AfterEach
  void tearDown() {
    channel.finishAndReleaseAll();
    recycler.close();
  }

  @Test
  void drainBeforeTheTransportIsReadyClosesOnlyOnceItIsReady() {
    connection.drain(RecycleReason.MAX_AGE, Duration.ofSeconds(1));
    channel.runPendingTasks();
    assertThat(channel.isOpen()).as("open before the transport is ready").isTrue();

    connection.transportReady();
    channel.runPendingTasks();

    assertThat(channel.isOpen()).isFalse();
    assertThat(recycler.openConnections()).isZero();
  }

  @Test
  void drainOnceTheTransportIsReadyClosesAtOnce() {
    connection.transportReady();

    connection.drain(RecycleReason.MAX_AGE, Duration.ofSeconds(1));
    channel.runPendingTasks();

    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void connectionIsTrackedWhileItsChannelIsOpen() {
    assertThat(recycler.openConnections()).isEqualTo(1);

    connection.forceClose();
    channel.runPendingTasks();

    assertThat(recycler.openConnections()).isZero();
  }
}
