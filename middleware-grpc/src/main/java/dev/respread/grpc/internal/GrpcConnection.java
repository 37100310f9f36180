package dev.respread.grpc.internal;

import dev.respread.DrainableConnection;

/** An accepted connection that learns when grpc's transport on it is ready. */
public interface GrpcConnection extends DrainableConnection {

  /**
   * grpc's HTTP/2 handler now owns the connection: it has seen the client's preface and settings,
   * so a close runs grpc's graceful shutdown. Called once, on the connection's event loop.
   */
  void transportReady();
}
