package dev.respread.grpc.internal.netty;

import static java.util.Objects.requireNonNull;

import dev.respread.grpc.internal.ConnectionIndex;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates the server's listening channels with a handler that sees every accepted connection
 * before grpc does, and registers it with the recycler.
 *
 * <p>grpc-java exposes no per-connection hook, but {@code NettyServerBuilder.channelFactory} is
 * public: Netty's {@code ServerBootstrap} delivers each accepted child channel to the listening
 * channel's pipeline, where a handler added here runs before the bootstrap's acceptor, that is
 * before the child is registered and before grpc builds its transport on it. The child is
 * registered with the recycler once it is registered with its event loop ({@link NettyConnection}).
 *
 * <p>Flavour: grpc-netty (the grpc-netty-shaded flavour is generated from this file at build time).
 */
public final class TrackingServerChannelFactory implements ChannelFactory<ServerChannel> {
  private final ChannelFactory<? extends ServerChannel> delegate;
  private final ConnectionIndex index;
  private final Runnable whenIdle;
  private final AcceptTracker acceptTracker = new AcceptTracker();
  /** Listening channels plus accepted connections, open now. */
  private final AtomicInteger open = new AtomicInteger();

  /**
   * @param whenIdle runs each time the last open listening channel or connection closes: the
   *     server has then stopped, and event loops created for it can go
   */
  public TrackingServerChannelFactory(ChannelFactory<? extends ServerChannel> delegate,
      ConnectionIndex index, Runnable whenIdle) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.index = requireNonNull(index, "index");
    this.whenIdle = requireNonNull(whenIdle, "whenIdle");
  }

  @Override
  public ServerChannel newChannel() {
    ServerChannel channel = delegate.newChannel();
    opened(channel);
    channel.pipeline().addLast("respread-accept-tracker", acceptTracker);
    return channel;
  }

  private void opened(Channel channel) {
    open.incrementAndGet();
    channel.closeFuture().addListener(f -> {
      if (open.decrementAndGet() == 0) {
        whenIdle.run();
      }
    });
  }

  private void accepted(Channel child) {
    NettyConnection.attach(child, index);
    // Counted now, before the listening channel can close, so that the event loops outlive a
    // child still on its way to its event loop.
    opened(child);
  }

  @Override
  public String toString() {
    return "TrackingServerChannelFactory{" + delegate + '}';
  }

  @Sharable
  private final class AcceptTracker extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Channel) {
        accepted((Channel) msg);
      }
      ctx.fireChannelRead(msg);
    }
  }
}
