package dev.respread.grpc;

import io.grpc.Attributes;
import io.grpc.ClientTransportFilter;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A real grpc-java client channel over TCP that counts the connections it opens. */
@SuppressWarnings("try")
final class ClientChannels implements AutoCloseable {
  final ManagedChannel channel;
  private final AtomicInteger connections = new AtomicInteger();

  ClientChannels(int port, String loadBalancingPolicy) {
    channel = NettyChannelBuilder.forTarget("dns:///127.0.0.1:" + port)
        .usePlaintext()
        .defaultLoadBalancingPolicy(loadBalancingPolicy)
        .maxInboundMessageSize(8 << 20)
        .addTransportFilter(new ClientTransportFilter() {
          @Override
          public Attributes transportReady(Attributes attributes) {
            connections.incrementAndGet();
            return attributes;
          }
        })
        .build();
  }

  /** Connections this channel has opened and seen become ready. */
  int connections() {
    return connections.get();
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(10, TimeUnit.SECONDS);
  }
}
