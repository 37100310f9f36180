package dev.respread.netty;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.DrainableConnection;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.TrackedConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;

/**
 * Recycles HTTP/1.1 connections: when the {@link ConnectionRecycler} decides that a connection
 * should end, this handler puts {@code Connection: close} on a response, then half-closes the
 * connection once that response is written.
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
 *   <li>With pipelining the close goes on the response to the last request passed on. Requests
 *       read after the recycler's decision are not passed on, unless no earlier response can
 *       still carry the close: the client sees the close and retries them on a new connection
 *       (RFC 9112 §9.3.2).
 *   <li>After the closing response is flushed it sends TLS {@code close_notify} if there is an
 *       {@code SslHandler}, shuts down the output (FIN) and keeps reading and discarding what the
 *       client still sends until the client closes, for at most 5 seconds. Closing both
 *       directions at once could turn unread pipelined bytes into an RST that destroys the
 *       response before the client reads it (RFC 9112 §9.6, "lingering close").
 * </ul>
 *
 * <p>A request ends when the last content of its response has been written to the socket, not
 * when it is handed to the pipeline: a response that a slow or stalled client does not take
 * keeps its request in flight, so the connection is closed hard, and counted, if it is drained
 * and the grace runs out.
 *
 * <p>Requests are counted from the first request read, so a connection that turns out to be
 * HTTP/2 (prior knowledge or h2c upgrade) is never registered as HTTP/1.1. A connection that
 * switches protocols ({@code 101 Switching Protocols}, a WebSocket for example) is reported
 * closed at the switch and no longer recycled: respread has no graceful way to end it. Recycling
 * is turned off with {@code RESPREAD_ENABLED=false}; the handler then only counts.
 *
 * <p>Not {@linkplain io.netty.channel.ChannelHandler.Sharable sharable}: create one per channel.
 */
public final class HttpRecyclingHandler extends ChannelDuplexHandler {
  private final ConnectionRecycler recycler;
  private Channel channel;
  private TrackedConnection tracked;
  /** Requests passed on to the application. */
  private long requestsPassedOn;
  /** Final (non-1xx) response heads written. */
  private long responsesStarted;
  /** Inside a final response, between its head and its last content. */
  private boolean inResponse;
  /** {@code Connection: close} is on a response; later requests are not passed on. */
  private boolean closing;
  /** The response being written carries our {@code Connection: close}. */
  private boolean closeAfterThisResponse;
  /** A request read after the close was decided; it and everything after are discarded. */
  private boolean discarding;
  /**
   * Ends a request when the write of its response's last content completes, in any way. One per
   * connection, added to each response's last write, so that the request path allocates no
   * listener.
   */
  private final ChannelFutureListener requestFinished = f -> tracked.requestFinished();

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
      // After the recycler's decision a request is passed on only if no earlier request's
      // response can carry the close any more; otherwise a client that keeps its pipeline full
      // would never be handed the close, and would lose its requests to the hard close after
      // the grace. The client retries unanswered pipelined requests (RFC 9112 §9.3.2).
      if (closing || (requestsPassedOn > responsesStarted && tracked.draining())) {
        discarding = true;
        ReferenceCountUtil.release(msg);
        return;
      }
      if (tracked == null) {
        tracked = recycler.register(new Drainable(), Protocol.HTTP_1_1);
      }
      requestsPassedOn++;
      tracked.requestStarted();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (tracked == null) {
      ctx.write(msg, promise);
      return;
    }
    if (msg instanceof HttpResponse) {
      HttpResponse response = (HttpResponse) msg;
      if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        // 100 Continue and friends precede the final response; they end nothing.
        ctx.write(msg, promise);
        if (response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
          // The connection now speaks another protocol (a WebSocket, say) that respread cannot
          // end gracefully (RFC 9110 §15.2.2): stop tracking it rather than leave its upgrade
          // request in flight forever, which would have it closed hard after the grace.
          ctx.pipeline().remove(this);
        }
        return;
      }
      if (inResponse) {
        // The previous response ended in a form this handler does not see: it is taken as
        // finished now, since no write of it is left to wait for.
        leaveResponse();
        tracked.requestFinished();
      }
      inResponse = true;
      startResponse(response);
    }
    // An HttpChunkedInput ends with the response's last content, which ChunkedWriteHandler
    // produces behind this handler if it sits closer to the codec; its promise completes once
    // that last content is written.
    if (inResponse && (msg instanceof LastHttpContent || msg instanceof HttpChunkedInput)) {
      boolean close = closeAfterThisResponse;
      leaveResponse();
      // The request ends when its last bytes have left (or failed to), not when they are queued:
      // a client that never reads would otherwise hold a response queued for ever on a
      // connection the engine takes as idle, which it never closes hard after the grace
      // (RFC 9112 §9.6), and shutdown() would wait for it for ever.
      ChannelFuture written = ctx.write(msg, promise.unvoid()).addListener(requestFinished);
      if (close) {
        written.addListener(LingeringClose.AFTER_WRITE);
      }
      return;
    }
    ctx.write(msg, promise);
  }

  private void startResponse(HttpResponse response) {
    responsesStarted++;
    // Only the response to the last request passed on may carry the close: responses to
    // requests that are already being processed must still follow on this connection.
    if (!closing && responsesStarted == requestsPassedOn && tracked.closeAfterResponse()) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      closing = true;
      closeAfterThisResponse = true;
    }
  }

  /** The response being written has ended; its request ends with it (see the callers). */
  private void leaveResponse() {
    inResponse = false;
    closeAfterThisResponse = false;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof HttpServerUpgradeHandler.UpgradeEvent) {
      // The connection became HTTP/2, perhaps after some HTTP/1.1 requests: Http2RecyclingHandler
      // takes over, and the HTTP/1.1 connection is reported closed when this handler goes.
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
