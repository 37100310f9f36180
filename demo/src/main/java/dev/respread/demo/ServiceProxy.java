package dev.respread.demo;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * kube-proxy in a box: a TCP balancer that, like a Kubernetes Service, picks one ready endpoint
 * at random when a connection opens and sends every byte of that connection there. It knows
 * nothing of HTTP/2 or gRPC, so a client stays on its pod for as long as its connection lives.
 */
final class ServiceProxy implements ServiceBalancer {
  private final EventLoopGroup group =
      new NioEventLoopGroup(2, new DefaultThreadFactory("service-proxy", true));
  private final Random random;
  private final Channel listener;
  private volatile List<InetSocketAddress> endpoints = List.of();

  /**
   * A proxy on a free loopback port whose picks come from a {@link Random} seeded with
   * {@code seed}. Runs do not repeat exactly: two event loops draw from it in the order that
   * connections happen to arrive.
   */
  ServiceProxy(long seed) throws InterruptedException {
    this.random = new Random(seed);
    this.listener = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.AUTO_READ, false)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connect(ch);
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  @Override
  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  @Override
  public void endpoints(List<InetSocketAddress> ready) {
    endpoints = List.copyOf(ready);
  }

  private void connect(SocketChannel client) {
    List<InetSocketAddress> ready = endpoints;
    if (ready.isEmpty()) {
      // A Service without endpoints: kube-proxy rejects the connection.
      client.close();
      return;
    }
    InetSocketAddress endpoint = ready.get(random.nextInt(ready.size()));
    new Bootstrap()
        .group(client.eventLoop())
        .channel(NioSocketChannel.class)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new Relay(client))
        .connect(endpoint)
        .addListener((ChannelFutureListener) f -> {
          if (!f.isSuccess()) {
            client.close();
            return;
          }
          if (!client.isActive()) {
            // The client left while the pod's connection was opening: nothing will close it.
            f.channel().close();
            return;
          }
          client.pipeline().addLast(new Relay(f.channel()));
          client.read();
          f.channel().read();
        });
  }

  /**
   * Copies what one side reads to the other, reading more only once the write is done, so that a
   * slow reader slows the sender instead of filling memory. When one side closes, what is queued
   * is flushed to the other, which is then closed too.
   */
  private static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;

    Relay(Channel peer) {
      this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
        if (f.isSuccess()) {
          ctx.channel().read();
        } else {
          ctx.channel().close();
          peer.close();
        }
      });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (peer.isActive()) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
