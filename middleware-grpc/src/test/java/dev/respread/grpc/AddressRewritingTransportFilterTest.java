package dev.respread.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.RecycleReason;
import dev.respread.internal.RecyclerMetrics;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Server;
import io.grpc.ServerTransportFilter;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An application's transport filter, added before respread's, that rewrites the transport's
 * addresses (as one reporting a client address from a proxy would) does not hide the connection
 * from respread: its calls are still counted and its drains stay graceful.
 */
class AddressRewritingTransportFilterTest {
  private final Resources resources = new Resources();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
    timer.shutdownNow();
  }

  @Test
  void callsAreCountedAndDrainsGracefulWhenAnEarlierFilterRewritesTheAddresses()
      throws Exception {
    // Recycling by call count only: if the calls were not counted, nothing would be drained.
    ConnectionRecycler recycler = resources.add(ConnectionRecycler.builder(
            RecyclingServer.fastRecycling().maxConnectionAge(Duration.ofHours(1)).build())
        .meterRegistry(registry).build());
    ServerTransportFilter rewriting = new ServerTransportFilter() {
      @Override
      public Attributes transportReady(Attributes attributes) {
        return attributes.toBuilder()
            .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, new InetSocketAddress("192.0.2.1", 4242))
            .set(Grpc.TRANSPORT_ATTR_LOCAL_ADDR, new InetSocketAddress("192.0.2.2", 443))
            .build();
      }
    };
    NettyServerBuilder builder = NettyServerBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(EchoService.definition("a", timer))
        .addTransportFilter(rewriting);
    Server server = GrpcRecycling.configure(builder, recycler).build().start();
    resources.add(() -> server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
    ClientChannels client = resources.add(new ClientChannels(server.getPort(), "pick_first"));

    Traffic traffic = new Traffic().unary(client.channel, 2, 30, 8).run();

    assertThat(traffic.failures).as("failed calls").isEmpty();
    // 60 calls with a cap of about 5 calls per connection.
    assertThat(count(RecyclerMetrics.CONNECTIONS_DRAINED, RecycleReason.MAX_REQUESTS))
        .as("connections drained at their call cap").isGreaterThanOrEqualTo(5);
    assertThat(client.connections()).as("client reconnects").isGreaterThanOrEqualTo(5);
    assertThat(registry.find(RecyclerMetrics.CONNECTIONS_FORCED).counters()).as("hard closes")
        .allSatisfy(c -> assertThat(c.count()).isZero());
  }

  private double count(String name, RecycleReason reason) {
    return registry.find(name).tag("reason", reason.tagValue()).counters().stream()
        .mapToDouble(Counter::count).sum();
  }
}
