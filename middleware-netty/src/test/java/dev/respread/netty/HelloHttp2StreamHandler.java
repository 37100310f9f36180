package dev.respread.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/** The stream handler of the Http2FrameCodec + Http2MultiplexHandler test server. */
@Sharable
final class HelloHttp2StreamHandler extends ChannelInboundHandlerAdapter {
  private static final AttributeKey<CharSequence> PATH = AttributeKey.valueOf("respread.path");

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      boolean end = false;
      if (msg instanceof Http2HeadersFrame) {
        Http2HeadersFrame headers = (Http2HeadersFrame) msg;
        ctx.channel().attr(PATH).set(headers.headers().path());
        end = headers.isEndStream();
      } else if (msg instanceof Http2DataFrame) {
        end = ((Http2DataFrame) msg).isEndStream();
      }
      if (end) {
        respond(ctx, ctx.channel().attr(PATH).get());
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  static void respond(ChannelHandlerContext ctx, CharSequence path) {
    long sleep = Paths.sleepMillis(path);
    if (sleep > 0) {
      ctx.executor().schedule(() -> write(ctx, path), sleep, TimeUnit.MILLISECONDS);
    } else {
      write(ctx, path);
    }
  }

  private static void write(ChannelHandlerContext ctx, CharSequence path) {
    ByteBuf body = body(path);
    ctx.write(new DefaultHttp2HeadersFrame(responseHeaders(body.readableBytes())));
    ctx.writeAndFlush(new DefaultHttp2DataFrame(body, true));
  }

  static ByteBuf body(CharSequence path) {
    int bytes = Paths.bytes(path);
    return bytes > 0 ? Unpooled.wrappedBuffer(new byte[bytes])
        : Unpooled.wrappedBuffer(HelloHttp1Handler.HELLO);
  }

  static Http2Headers responseHeaders(int length) {
    return new DefaultHttp2Headers().status("200").set("content-type", "text/plain")
        .setInt("content-length", length);
  }
}
