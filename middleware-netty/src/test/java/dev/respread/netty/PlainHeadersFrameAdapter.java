package dev.respread.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;

/**
 * A frame listener of the tests, which read HEADERS with priority information the same as plain
 * HEADERS: subclasses override only the plain {@code onHeadersRead}.
 */
abstract class PlainHeadersFrameAdapter extends Http2FrameAdapter {
  @Override
  public final void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
      int streamDependency, short weight, boolean exclusive, int padding, boolean endOfStream)
      throws Http2Exception {
    onHeadersRead(ctx, streamId, headers, padding, endOfStream);
  }
}
