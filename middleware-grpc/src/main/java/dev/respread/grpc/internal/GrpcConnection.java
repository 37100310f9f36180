package dev.respread.grpc.internal;

import dev.respread.DrainableConnection;

/** An accepted connection that learns when grpc's transport on it is ready. */
public interface GrpcConnection extends DrainableConnection {

  /**
   * grpc's HTTP/2 handler now owns the connection: it has seen the client's preface and settings,
   * so a close runs grpc's graceful shutdown. Called at most once, on the connection's event loop.
   */
  void transportReady();

  /**
   * Whether the calling thread is this connection's event loop. grpc reports a ready transport on
   * its connection's event loop, which tells apart connections that share their addresses.
   */
  boolean inEventLoop();
}
