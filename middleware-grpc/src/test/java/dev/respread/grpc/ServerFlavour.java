package dev.respread.grpc;

import dev.respread.ConnectionRecycler;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import java.io.IOException;
import java.net.InetSocketAddress;

/** The two grpc-netty artifacts, each wired through its own {@code GrpcRecycling}. */
enum ServerFlavour {
  GRPC_NETTY {
    @Override
    Server start(ConnectionRecycler recycler, ServerServiceDefinition service) throws IOException {
      io.grpc.netty.NettyServerBuilder builder =
          io.grpc.netty.NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
      return GrpcRecycling.configure(builder, recycler).addService(service).build().start();
    }
  },
  GRPC_NETTY_SHADED {
    @Override
    Server start(ConnectionRecycler recycler, ServerServiceDefinition service) throws IOException {
      io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder builder =
          io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
              new InetSocketAddress("127.0.0.1", 0));
      return dev.respread.grpc.shaded.GrpcRecycling.configure(builder, recycler)
          .addService(service).build().start();
    }
  };

  /** A started server on a free loopback port, recycling with {@code recycler}. */
  abstract Server start(ConnectionRecycler recycler, ServerServiceDefinition service)
      throws IOException;
}
