package dev.respread.netty;

import dev.respread.ConnectionRecycler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hello server on 127.0.0.1, port 0, in one of the pipeline shapes users build. With a recycler
 * it has respread's handlers; without one it is the baseline for benchmarks.
 */
final class TestServer implements AutoCloseable {
  /** The pipeline shapes docs/netty.md documents. */
  enum Shape {
    /** HttpServerCodec + HttpServerKeepAliveHandler + HttpObjectAggregator. */
    HTTP1,
    /** h2c prior knowledge, Http2FrameCodec + Http2MultiplexHandler. */
    H2_FRAME_CODEC,
    /** h2c prior knowledge, an Http2ConnectionHandler subclass. */
    H2_SUBCLASS,
    /** CleartextHttp2ServerUpgradeHandler: h2c upgrade, prior knowledge and plain HTTP/1.1. */
    H2C_UPGRADE,
    /** TLS with ALPN choosing h2 (Http2FrameCodec) or http/1.1. */
    TLS_ALPN,
    /** As H2C_UPGRADE, with an Http2ConnectionHandler subclass, whose upgrade codec takes no
     * extra handlers: the recycling handler waits in the pipeline for the upgrade event. */
    H2C_UPGRADE_SUBCLASS,
    /** As TLS_ALPN, with an Http2ConnectionHandler subclass. */
    TLS_ALPN_SUBCLASS;

    boolean tls() {
      return this == TLS_ALPN || this == TLS_ALPN_SUBCLASS;
    }

    boolean subclass() {
      return this == H2_SUBCLASS || this == H2C_UPGRADE_SUBCLASS || this == TLS_ALPN_SUBCLASS;
    }
  }

  private final EventLoopGroup boss = new NioEventLoopGroup(1);
  private final EventLoopGroup workers = new NioEventLoopGroup(2);
  private final ConnectionRecycler recycler;
  private final SslContext ssl;
  private final Channel server;
  /** Connections accepted, counted by the server itself. */
  final AtomicInteger accepted = new AtomicInteger();

  TestServer(Shape shape, ConnectionRecycler recycler) throws InterruptedException {
    this(shape, recycler, null);
  }

  TestServer(Shape shape, ConnectionRecycler recycler, SslContext ssl)
      throws InterruptedException {
    this.recycler = recycler;
    this.ssl = ssl;
    ChannelHandler counter = new Counter();
    server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(counter);
            switch (shape) {
              case HTTP1 -> http1(ch.pipeline());
              case H2_FRAME_CODEC -> h2FrameCodec(ch.pipeline());
              case H2_SUBCLASS -> h2Subclass(ch.pipeline());
              case H2C_UPGRADE, H2C_UPGRADE_SUBCLASS -> h2cUpgrade(ch.pipeline(), shape);
              case TLS_ALPN, TLS_ALPN_SUBCLASS -> tlsAlpn(ch, shape);
              default -> throw new AssertionError(shape);
            }
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private void http1(ChannelPipeline p) {
    p.addLast(new HttpServerCodec());
    http1App(p);
  }

  private void http1App(ChannelPipeline p) {
    if (recycler != null) {
      p.addLast(new HttpRecyclingHandler(recycler));
    }
    p.addLast(new HttpServerKeepAliveHandler(), new HttpObjectAggregator(1 << 20),
        new HelloHttp1Handler());
  }

  private void h2FrameCodec(ChannelPipeline p) {
    p.addLast(Http2FrameCodecBuilder.forServer().build());
    if (recycler != null) {
      p.addLast(new Http2RecyclingHandler(recycler));
    }
    p.addLast(new Http2MultiplexHandler(new HelloHttp2StreamHandler()));
  }

  private void h2Subclass(ChannelPipeline p) {
    p.addLast(HelloHttp2ConnectionHandler.create());
    if (recycler != null) {
      p.addLast(new Http2RecyclingHandler(recycler));
    }
  }

  private void h2(ChannelPipeline p, Shape shape) {
    if (shape.subclass()) {
      h2Subclass(p);
    } else {
      h2FrameCodec(p);
    }
  }

  private void h2cUpgrade(ChannelPipeline p, Shape shape) {
    HttpServerCodec codec = new HttpServerCodec();
    HttpServerUpgradeHandler.UpgradeCodecFactory factory = protocol -> {
      if (!AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)) {
        return null;
      }
      if (shape.subclass()) {
        return new Http2ServerUpgradeCodec(HelloHttp2ConnectionHandler.create());
      }
      ChannelHandler multiplex = new Http2MultiplexHandler(new HelloHttp2StreamHandler());
      return new Http2ServerUpgradeCodec(Http2FrameCodecBuilder.forServer().build(),
          recycler == null ? new ChannelHandler[] {multiplex}
              : new ChannelHandler[] {new Http2RecyclingHandler(recycler), multiplex});
    };
    p.addLast(new CleartextHttp2ServerUpgradeHandler(codec,
        new HttpServerUpgradeHandler(codec, factory, 1 << 16),
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (shape.subclass()) {
              // The recycling handler below attaches itself once this handler is in place.
              ch.pipeline().addLast(HelloHttp2ConnectionHandler.create());
            } else {
              h2FrameCodec(ch.pipeline());
            }
          }
        }));
    if (shape.subclass() && recycler != null) {
      p.addLast(new Http2RecyclingHandler(recycler));
    }
    http1App(p);
  }

  private void tlsAlpn(SocketChannel ch, Shape shape) {
    ch.pipeline().addLast(ssl.newHandler(ch.alloc()),
        new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
          @Override
          protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
              h2(ctx.pipeline(), shape);
            } else {
              http1(ctx.pipeline());
            }
          }
        });
  }

  @ChannelHandler.Sharable
  private final class Counter extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      accepted.incrementAndGet();
      ctx.fireChannelActive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof java.io.IOException) {
        // Load generators reset their connections when they stop; nothing to report.
        ctx.close();
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    boss.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }
}
