package dev.respread.spring;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.netty.Http2RecyclingHandler;
import dev.respread.netty.HttpRecyclingHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import reactor.netty.ConnectionObserver;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * Adds respread-netty's handlers to each connection Reactor Netty accepts, where its own HTTP
 * codecs are, after it has built the connection's pipeline ({@code doOnChannelInit} runs after
 * Reactor Netty's own initializer):
 * <ul>
 *   <li>HTTP/1.1 with h2c ({@code server.http2.enabled=true}): Reactor Netty's
 *       {@code CleartextHttp2ServerUpgradeHandler} puts the {@code HttpServerCodec} and the
 *       {@code HttpServerUpgradeHandler} after itself when it is added; both of respread's
 *       handlers go right after those. An HTTP/1.1 connection is recycled by the first, which leaves
 *       on an upgrade; the second attaches to the {@code Http2FrameCodec} when the upgrade or
 *       prior-knowledge event passes it.
 *   <li>HTTP/1.1 only: {@link HttpRecyclingHandler} after the {@code HttpServerCodec}.
 *   <li>h2c with prior knowledge only: {@link Http2RecyclingHandler} after the
 *       {@code Http2FrameCodec}, before the {@code Http2MultiplexHandler}.
 * </ul>
 * TLS pipelines, which Reactor Netty finishes only after ALPN, are not wired; a warning says so
 * once.
 */
final class ReactorNettyRecycling implements NettyServerCustomizer {
  private static final Logger logger = System.getLogger(ReactorNettyRecycling.class.getName());

  private static final String HTTP1 = "respread.http1";
  private static final String HTTP2 = "respread.http2";

  private final ConnectionRecycler recycler;
  private final AtomicBoolean warned = new AtomicBoolean();

  ReactorNettyRecycling(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  @Override
  public HttpServer apply(HttpServer server) {
    return server.doOnChannelInit(this::wire);
  }

  private void wire(ConnectionObserver observer, Channel channel, SocketAddress remote) {
    ChannelPipeline p = channel.pipeline();
    ChannelHandlerContext upgrade = p.context(HttpServerUpgradeHandler.class);
    ChannelHandlerContext http1 = p.context(HttpServerCodec.class);
    ChannelHandlerContext http2 = p.context(Http2ConnectionHandler.class);
    if (upgrade != null) {
      p.addAfter(upgrade.name(), HTTP1, new HttpRecyclingHandler(recycler));
      p.addAfter(HTTP1, HTTP2, new Http2RecyclingHandler(recycler));
    } else if (p.get(NettyPipeline.H2CUpgradeHandler) != null) {
      // Not expanded yet (the channel is not registered): the codec and the upgrade handler
      // will go right after it, and so before these.
      p.addAfter(NettyPipeline.H2CUpgradeHandler, HTTP2, new Http2RecyclingHandler(recycler));
      p.addAfter(NettyPipeline.H2CUpgradeHandler, HTTP1, new HttpRecyclingHandler(recycler));
    } else if (http1 != null) {
      p.addAfter(http1.name(), HTTP1, new HttpRecyclingHandler(recycler));
    } else if (http2 != null) {
      p.addAfter(http2.name(), HTTP2, new Http2RecyclingHandler(recycler));
    } else if (warned.compareAndSet(false, true)) {
      logger.log(Level.WARNING, "respread: this Reactor Netty server''s connections are not "
          + "recycled (TLS and HTTP/3 pipelines are not supported); pipeline: {0}", p.names());
    }
  }
}
