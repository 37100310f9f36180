package dev.respread.demo;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a Kubernetes Service does to TCP: one ready endpoint, picked at random per connection, for
 * the connection's whole life.
 */
interface ServiceBalancer extends AutoCloseable {
  /** Where clients connect: the Service's address. */
  InetSocketAddress address();

  /**
   * Replaces the ready endpoints, as an EndpointSlice update does. Open connections stay where
   * they are; only new connections see the change.
   */
  void endpoints(List<InetSocketAddress> ready);

  @Override
  void close() throws Exception;
}
