package dev.respread.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.collection.IntObjectHashMap;
import java.util.concurrent.TimeUnit;

/** The server shape that subclasses Http2ConnectionHandler and is its own frame listener. */
final class HelloHttp2ConnectionHandler extends Http2ConnectionHandler {
  private final IntObjectHashMap<CharSequence> paths = new IntObjectHashMap<>();

  private HelloHttp2ConnectionHandler(Http2ConnectionDecoder decoder,
      Http2ConnectionEncoder encoder, Http2Settings settings) {
    super(decoder, encoder, settings);
  }

  static HelloHttp2ConnectionHandler create() {
    return new Builder().build();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
      // The HTTP/1.1 request that carried the upgrade is stream 1, answered over HTTP/2.
      paths.put(Http2CodecUtil.HTTP_UPGRADE_STREAM_ID,
          ((HttpServerUpgradeHandler.UpgradeEvent) evt).upgradeRequest().uri());
      onRequestEnd(ctx, Http2CodecUtil.HTTP_UPGRADE_STREAM_ID);
    }
    super.userEventTriggered(ctx, evt);
  }

  private void onRequestEnd(ChannelHandlerContext ctx, int streamId) {
    CharSequence path = paths.remove(streamId);
    long sleep = Paths.sleepMillis(path);
    if (sleep > 0) {
      ctx.executor().schedule(() -> respond(ctx, streamId, path), sleep, TimeUnit.MILLISECONDS);
    } else {
      respond(ctx, streamId, path);
    }
  }

  private void respond(ChannelHandlerContext ctx, int streamId, CharSequence path) {
    if (connection().stream(streamId) == null) {
      return;
    }
    ByteBuf body = HelloHttp2StreamHandler.body(path);
    encoder().writeHeaders(ctx, streamId,
        HelloHttp2StreamHandler.responseHeaders(body.readableBytes()), 0, false, ctx.newPromise());
    encoder().writeData(ctx, streamId, body, 0, true, ctx.newPromise());
    // Http2ConnectionHandler.flush, not ctx.flush: DATA waits in the flow controller until then.
    flush(ctx);
  }

  private final class Listener extends PlainHeadersFrameAdapter {
    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int padding, boolean endOfStream) {
      paths.put(streamId, headers.path());
      if (endOfStream) {
        onRequestEnd(ctx, streamId);
      }
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
        boolean endOfStream) {
      if (endOfStream) {
        onRequestEnd(ctx, streamId);
      }
      return data.readableBytes() + padding;
    }
  }

  private static final class Builder extends
      AbstractHttp2ConnectionHandlerBuilder<HelloHttp2ConnectionHandler, Builder> {
    @Override
    protected HelloHttp2ConnectionHandler build(Http2ConnectionDecoder decoder,
        Http2ConnectionEncoder encoder, Http2Settings settings) {
      HelloHttp2ConnectionHandler handler =
          new HelloHttp2ConnectionHandler(decoder, encoder, settings);
      frameListener(handler.new Listener());
      return handler;
    }

    @Override
    protected HelloHttp2ConnectionHandler build() {
      return super.build();
    }
  }
}
