package dev.respread.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Who stops the event loops: respread stops its own, never the caller's. */
class EventLoopOwnershipTest {
  private final Resources resources = new Resources();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ConnectionRecycler recycler = resources.add(ConnectionRecycler
      .builder(RecyclingServer.fastRecycling().build())
      .meterRegistry(new SimpleMeterRegistry()).build());

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
    timer.shutdownNow();
  }

  @Test
  void eventLoopsRespreadCreatedStopOnceTheServerHasStopped() throws Exception {
    Server server = GrpcRecycling.configure(builder(), recycler).build().start();
    ClientChannels client = resources.add(new ClientChannels(server.getPort(), "pick_first"));
    new Traffic().unary(client.channel, 2, 20, 8).run();
    assertThat(respreadEventLoopThreads()).as("respread's event loop threads").isPositive();

    client.close();
    server.shutdown();
    assertThat(server.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (respreadEventLoopThreads() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(respreadEventLoopThreads()).as("respread's event loop threads").isZero();
  }

  @Test
  void eventLoopsTheCallerPassesKeepRunningAndServeRecycledConnections() throws Exception {
    NioEventLoopGroup boss = new NioEventLoopGroup(1);
    NioEventLoopGroup worker = new NioEventLoopGroup(2);
    resources.add(() -> {
      boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
      worker.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    });
    Server server = GrpcRecycling.configure(builder(), recycler, boss, worker,
        NioServerSocketChannel::new).build().start();
    resources.add(() -> server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    ClientChannels client = resources.add(new ClientChannels(server.getPort(), "pick_first"));

    Traffic traffic = new Traffic().unary(client.channel, 2, 20, 8).run();
    assertThat(traffic.failures).as("failed calls").isEmpty();
    assertThat(client.connections()).as("client reconnects").isGreaterThanOrEqualTo(4);

    client.close();
    server.shutdown();
    assertThat(server.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(boss.isShuttingDown()).isFalse();
    assertThat(worker.isShuttingDown()).isFalse();
  }

  private NettyServerBuilder builder() {
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(EchoService.definition("a", timer));
  }

  private static long respreadEventLoopThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("respread-grpc-"))
        .count();
  }
}
