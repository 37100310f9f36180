package dev.respread.demo;

import dev.respread.ConnectionRecycler;
import dev.respread.netty.Http2RecyclingHandler;
import dev.respread.netty.HttpRecyclingHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The pod's HTTP server: plain Netty on one port for HTTP/1.1, h2c upgrade and h2c prior
 * knowledge ({@code CleartextHttp2ServerUpgradeHandler}), wired with respread's handlers as the
 * README's h2c-upgrade line shows. Every response is {@code 200} with the pod's name, and the
 * {@value HelloService#CONNECTION_HEADER} header names the connection.
 */
final class PodHttpServer implements AutoCloseable {
  private static final AttributeKey<String> CONNECTION =
      AttributeKey.valueOf("respread.demo.connection");

  private final EventLoopGroup boss = new NioEventLoopGroup(1);
  private final EventLoopGroup workers = new NioEventLoopGroup(2);
  private final Channel server;

  /**
   * Listens on {@code address}; each connection's id is {@code podName-n}, {@code n} from
   * {@code connectionIds}, and each request is counted in {@code served}.
   */
  PodHttpServer(InetSocketAddress address, ConnectionRecycler recycler, String podName,
      AtomicLong connectionIds, AtomicLong served) throws InterruptedException {
    byte[] name = podName.getBytes(StandardCharsets.UTF_8);
    ChannelHandler http1 = new Http1Hello(name, served);
    ChannelHandler http2 = new Http2Hello(name, served);
    ChannelHandler ioErrors = new CloseOnIoError();
    server = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.attr(CONNECTION).set(podName + "-" + connectionIds.incrementAndGet());
            ChannelPipeline p = ch.pipeline();
            HttpServerCodec codec = new HttpServerCodec();
            HttpServerUpgradeHandler.UpgradeCodecFactory upgrades = protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                    ? new Http2ServerUpgradeCodec(Http2FrameCodecBuilder.forServer().build(),
                        new Http2RecyclingHandler(recycler), new Http2MultiplexHandler(http2))
                    : null;
            p.addLast(new CleartextHttp2ServerUpgradeHandler(codec,
                new HttpServerUpgradeHandler(codec, upgrades, 1 << 16),
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel c) {
                    c.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                        new Http2RecyclingHandler(recycler), new Http2MultiplexHandler(http2));
                  }
                }));
            p.addLast(new HttpRecyclingHandler(recycler), new HttpServerKeepAliveHandler(),
                new HttpObjectAggregator(1 << 16), http1, ioErrors);
          }
        })
        .bind(address).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private static String connectionOf(Channel channel) {
    Channel c = channel instanceof Http2StreamChannel ? channel.parent() : channel;
    String id = c.attr(CONNECTION).get();
    return id == null ? "?" : id;
  }

  @ChannelHandler.Sharable
  private static final class Http1Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final byte[] name;
    private final AtomicLong served;

    Http1Hello(byte[] name, AtomicLong served) {
      this.name = name;
      this.served = served;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      served.incrementAndGet();
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.OK, Unpooled.wrappedBuffer(name));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
          .set(HelloService.CONNECTION_HEADER, connectionOf(ctx.channel()));
      HttpUtil.setContentLength(response, name.length);
      ctx.writeAndFlush(response);
    }
  }

  /** Answers each HTTP/2 stream once its request has ended. */
  @ChannelHandler.Sharable
  private static final class Http2Hello extends ChannelInboundHandlerAdapter {
    private final byte[] name;
    private final AtomicLong served;

    Http2Hello(byte[] name, AtomicLong served) {
      this.name = name;
      this.served = served;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean end = msg instanceof Http2HeadersFrame h ? h.isEndStream()
            : msg instanceof Http2DataFrame d && d.isEndStream();
        if (end) {
          served.incrementAndGet();
          ByteBuf body = Unpooled.wrappedBuffer(name);
          ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("200")
              .set("content-type", "text/plain").setInt("content-length", name.length)
              .set(HelloService.CONNECTION_HEADER, connectionOf(ctx.channel()))));
          ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }

  /** A client that resets its connection (a load generator stopping) is no error to log. */
  @ChannelHandler.Sharable
  private static final class CloseOnIoError extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof IOException) {
        ctx.close();
      } else {
        ctx.fireExceptionCaught(cause);
      }
    }
  }

  /** Closes the listening socket and the event loops; call after the recycler's shutdown. */
  @Override
  public void close() {
    server.close().syncUninterruptibly();
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
