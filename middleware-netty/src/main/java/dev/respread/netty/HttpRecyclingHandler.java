package dev.respread.netty;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.DrainableConnection;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.TrackedConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * Recycles HTTP/1.1 connections: when the {@link ConnectionRecycler} decides that a connection
 * should end, this handler puts {@code Connection: close} on the response to the last request
 * read, then half-closes the connection once that response is written.
 *
 * <p>Add one instance per connection right after the {@code HttpServerCodec} (and after
 * {@code HttpServerUpgradeHandler} if there is one), before {@code HttpServerKeepAliveHandler} and
 * any aggregator:
 *
 * <pre>{@code
 * ch.pipeline().addLast(new HttpServerCodec(), new HttpRecyclingHandler(recycler),
 *     new HttpServerKeepAliveHandler(), new HttpObjectAggregator(1 << 20), app);
 * }</pre>
 *
 * <p>What it does, per RFC 9112:
 * <ul>
 *   <li>It never closes an idle connection out of band: the client may be sending a request at
 *       that moment and could not tell whether it was processed (RFC 9112 §9.6). The close always
 *       rides on a response.
 *   <li>With pipelining the close goes on the response to the last request read so far. Requests
 *       read after that response started are not passed on: the client sees the close and retries
 *       them on a new connection (RFC 9112 §9.3.2).
 *   <li>After the closing response is flushed it sends TLS {@code close_notify} if there is an
 *       {@code SslHandler}, shuts down the output (FIN) and keeps reading and discarding what the
 *       client still sends until the client closes, for at most 5 seconds. Closing both
 *       directions at once could turn unread pipelined bytes into an RST that destroys the
 *       response before the client reads it (RFC 9112 §9.6, "lingering close").
 * </ul>
 *
 * <p>Requests are counted from the first request read, so a connection that turns out to be
 * HTTP/2 (prior knowledge or h2c upgrade) is never registered as HTTP/1.1. Recycling is turned
 * off with {@code RESPREAD_ENABLED=false}; the handler then only counts.
 *
 * <p>Not {@linkplain io.netty.channel.ChannelHandler.Sharable sharable}: create one per channel.
 */
public final class HttpRecyclingHandler extends ChannelDuplexHandler {
  private final ConnectionRecycler recycler;
  private Channel channel;
  private TrackedConnection tracked;
  private long requestsRead;
  private long responsesDone;
  /** Inside a final (non-1xx) response, between its head and its last content. */
  private boolean inResponse;
  /** {@code Connection: close} is on a response; later requests are not passed on. */
  private boolean closing;
  /** The response being written carries our {@code Connection: close}. */
  private boolean closeAfterThisResponse;
  /** A request read after the close was decided; it and everything after are discarded. */
  private boolean discarding;

  /** A handler that reports to {@code recycler}. */
  public HttpRecyclingHandler(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (discarding) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest) {
      if (closing) {
        discarding = true;
        ReferenceCountUtil.release(msg);
        return;
      }
      if (tracked == null) {
        tracked = recycler.register(new Drainable(), Protocol.HTTP_1_1);
      }
      requestsRead++;
      tracked.requestStarted();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (tracked != null) {
      if (msg instanceof HttpResponse) {
        HttpResponse response = (HttpResponse) msg;
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
          // 100 Continue and friends precede the final response; they end nothing.
          ctx.write(msg, promise);
          return;
        }
        inResponse = true;
        startResponse(response);
      }
      if (inResponse && msg instanceof LastHttpContent) {
        inResponse = false;
        responsesDone++;
        tracked.requestFinished();
        if (closeAfterThisResponse) {
          closeAfterThisResponse = false;
          ctx.write(msg, promise.unvoid()).addListener(LingeringClose.AFTER_WRITE);
          return;
        }
      }
    }
    ctx.write(msg, promise);
  }

  private void startResponse(HttpResponse response) {
    // Only the response to the last request read may carry the close: responses to requests
    // that are already being processed must still follow on this connection.
    if (!closing && responsesDone + 1 == requestsRead && tracked.closeAfterResponse()) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      closing = true;
      closeAfterThisResponse = true;
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent && tracked == null) {
      // The connection became HTTP/2; Http2RecyclingHandler takes over.
      ctx.pipeline().remove(this);
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    reportClosed();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    reportClosed();
  }

  private void reportClosed() {
    if (tracked != null) {
      tracked.closed();
    }
  }

  private final class Drainable implements DrainableConnection {
    @Override
    public void drain(RecycleReason reason, Duration grace) {
      // Nothing out of band: TrackedConnection.closeAfterResponse() now returns true and the next
      // response to the last request read carries the close (RFC 9112 §9.6).
    }

    @Override
    public void forceClose() {
      channel.close();
    }
  }
}
