package dev.respread.netty;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Answers every request with "hello"; {@code /sleep/N} answers after N milliseconds and
 * {@code /bytes/N} with N zero bytes.
 */
@Sharable
final class HelloHttp1Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.OK, HelloHttp2StreamHandler.body(request.uri()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    HttpUtil.setContentLength(response, response.content().readableBytes());
    long sleep = Paths.sleepMillis(request.uri());
    if (sleep > 0) {
      ctx.executor().schedule(() -> ctx.writeAndFlush(response), sleep, TimeUnit.MILLISECONDS);
    } else {
      ctx.writeAndFlush(response);
    }
  }
}
