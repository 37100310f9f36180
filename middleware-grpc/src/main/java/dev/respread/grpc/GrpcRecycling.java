package dev.respread.grpc;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.grpc.internal.ConnectionIndex;
import dev.respread.grpc.internal.netty.OwnedEventLoops;
import dev.respread.grpc.internal.netty.TrackingServerChannelFactory;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * Wires a {@link ConnectionRecycler} into a grpc-java server on Netty, in one call on its
 * {@link NettyServerBuilder}:
 *
 * <pre>{@code
 * ConnectionRecycler recycler = ConnectionRecycler.fromEnvironment();
 * Server server = GrpcRecycling.configure(NettyServerBuilder.forPort(8080), recycler)
 *     .addService(new MyService())
 *     .build().start();
 * // on SIGTERM: recycler.shutdown().get(); server.shutdown();
 * }</pre>
 *
 * <p>Each connection is then drained by grpc's own graceful shutdown (two GOAWAYs around a PING,
 * then waiting for the calls in flight) when the recycler says so: at its jittered maximum age,
 * after its jittered number of calls, or when the load controller moves it. When the grace runs
 * out, the connection is closed hard and {@code respread.connections.forced} counts it if calls
 * were still running; their clients see {@code UNAVAILABLE}.
 *
 * <p>Call it once per builder. Do not also set {@link NettyServerBuilder#maxConnectionAge}: respread replaces it, with
 * grpc's semantics (±10% jitter by default, the grace) plus the call cap and the load controller.
 * To turn recycling off, set {@code RESPREAD_ENABLED=false}: connections are then only counted.
 *
 * <p>Flavour: grpc-netty (the grpc-netty-shaded flavour is generated from this file at build time).
 */
public final class GrpcRecycling {

  private GrpcRecycling() {}

  /**
   * Wires {@code recycler} into {@code builder}, with event loops of respread's own: NIO, daemon
   * threads, one acceptor thread and Netty's default number of workers, shut down when the server
   * has stopped and its last connection has closed. This replaces any channel type and event
   * loops set on {@code builder} before; use
   * {@link #configure(NettyServerBuilder, ConnectionRecycler, EventLoopGroup, EventLoopGroup,
   * ChannelFactory)} to keep your own (for example epoll).
   *
   * <p>Call it after adding your own interceptors, so that respread's runs first and counts every
   * call, including those your interceptors reject.
   *
   * @return {@code builder}
   */
  public static NettyServerBuilder configure(NettyServerBuilder builder,
      ConnectionRecycler recycler) {
    requireNonNull(builder, "builder");
    requireNonNull(recycler, "recycler");
    OwnedEventLoops loops = new OwnedEventLoops();
    return wire(builder, recycler, loops.boss(), loops.worker(), NioServerSocketChannel::new,
        loops::shutdown);
  }

  /**
   * Wires {@code recycler} into {@code builder} on event loops and a server channel type of the
   * caller's, which must match, as {@link NettyServerBuilder#channelFactory} requires (for example
   * {@code EpollEventLoopGroup} with {@code EpollServerSocketChannel::new}). The caller shuts the
   * event loops down, after the server has terminated.
   *
   * <p>Call it after adding your own interceptors, so that respread's runs first and counts every
   * call.
   *
   * @param serverChannels creates the listening channels; respread adds a handler to each
   * @return {@code builder}
   */
  public static NettyServerBuilder configure(NettyServerBuilder builder,
      ConnectionRecycler recycler, EventLoopGroup bossGroup, EventLoopGroup workerGroup,
      ChannelFactory<? extends ServerChannel> serverChannels) {
    requireNonNull(builder, "builder");
    requireNonNull(recycler, "recycler");
    requireNonNull(bossGroup, "bossGroup");
    requireNonNull(workerGroup, "workerGroup");
    requireNonNull(serverChannels, "serverChannels");
    return wire(builder, recycler, bossGroup, workerGroup, serverChannels, () -> {});
  }

  private static NettyServerBuilder wire(NettyServerBuilder builder, ConnectionRecycler recycler,
      EventLoopGroup bossGroup, EventLoopGroup workerGroup,
      ChannelFactory<? extends ServerChannel> serverChannels, Runnable whenServerStopped) {
    ConnectionIndex index = new ConnectionIndex(recycler);
    return builder
        .bossEventLoopGroup(bossGroup)
        .workerEventLoopGroup(workerGroup)
        .channelFactory(new TrackingServerChannelFactory(serverChannels, index, whenServerStopped))
        .addTransportFilter(index.transportFilter())
        .intercept(index.interceptor());
  }
}
