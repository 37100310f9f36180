package dev.respread.demo;

import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a Kubernetes Service does to TCP: one ready endpoint, picked at random per connection, for
 * the connection's whole life. The alternatives the demo compares replace it: a headless Service
 * ({@link HeadlessService}) and an L7 proxy ({@link HaproxyService}).
 */
interface ServiceBalancer extends AutoCloseable {
  /** Where clients connect: the Service's address. */
  InetSocketAddress address();

  /**
   * Replaces the ready endpoints, as an EndpointSlice update does. Open connections stay where
   * they are; only new connections see the change.
   */
  void endpoints(List<InetSocketAddress> ready);

  /**
   * The channel of client number {@code client}: by default grpc-java's own, {@code pick_first}
   * on the Service's address, one connection, as most clients dial a Service.
   */
  default NettyChannelBuilder channel(int client) {
    return NettyChannelBuilder.forAddress(address());
  }

  /**
   * CPU seconds the balancer's own process has used so far, or NaN when it has none: kube-proxy's
   * rules run in the kernel, the in-process proxy in this JVM.
   */
  default double cpuSeconds() {
    return Double.NaN;
  }

  @Override
  void close() throws Exception;
}
