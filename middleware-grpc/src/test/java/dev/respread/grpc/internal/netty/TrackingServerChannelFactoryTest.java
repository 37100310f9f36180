package dev.respread.grpc.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import dev.respread.grpc.internal.ConnectionIndex;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When an accepted connection starts and stops being tracked, with the channels Netty's acceptor
 * hands over, but without sockets: what matters is the channel's registration and close.
 */
class TrackingServerChannelFactoryTest {
  private final NioEventLoopGroup loops = new NioEventLoopGroup(1);
  private final ConnectionRecycler recycler = ConnectionRecycler.builder(RecyclingConfig.builder()
          .maxConnectionAge(Duration.ofHours(1)).build())
      .meterRegistry(new SimpleMeterRegistry()).build();
  private final TrackingServerChannelFactory factory = new TrackingServerChannelFactory(
      NioServerSocketChannel::new, new ConnectionIndex(recycler), () -> {});

  @AfterEach
  void tearDown() {
    recycler.close();
    loops.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void acceptedConnectionWhoseRegistrationFailsIsNeverTracked() throws Exception {
    Channel child = accept(new NioSocketChannel());

    // What Netty's ServerBootstrapAcceptor does when a child's options or registration fail: it
    // never completes the child's close future.
    child.unsafe().closeForcibly();

    assertThat(recycler.openConnections()).isZero();
  }

  @Test
  void acceptedConnectionIsTrackedFromItsRegistrationUntilItCloses() throws Exception {
    Channel child = accept(new NioSocketChannel());
    assertThat(recycler.openConnections()).isZero();

    loops.register(child).sync();
    assertThat(recycler.openConnections()).isEqualTo(1);

    child.close().sync();
    assertThat(recycler.openConnections()).isZero();
  }

  /** Delivers {@code child} to a listening channel as Netty's accept loop does. */
  private Channel accept(Channel child) throws Exception {
    ServerChannel server = factory.newChannel();
    loops.register(server).sync();
    server.eventLoop().submit(() -> server.pipeline().fireChannelRead(child)).sync();
    server.close().sync();
    return child;
  }
}
