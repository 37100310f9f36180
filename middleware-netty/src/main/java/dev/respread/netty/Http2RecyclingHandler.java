package dev.respread.netty;

import static java.util.Objects.requireNonNull;

import dev.respread.ConnectionRecycler;
import dev.respread.DrainableConnection;
import dev.respread.Protocol;
import dev.respread.RecycleReason;
import dev.respread.TrackedConnection;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Recycles HTTP/2 connections with a two-phase GOAWAY when the {@link ConnectionRecycler} asks.
 *
 * <p>Add one instance per connection right after the {@link Http2ConnectionHandler}, which may be
 * an {@code Http2FrameCodec} or an application's own subclass:
 *
 * <pre>{@code
 * // Http2FrameCodec + Http2MultiplexHandler
 * ch.pipeline().addLast(frameCodec, new Http2RecyclingHandler(recycler), multiplexHandler);
 * // an Http2ConnectionHandler subclass
 * ch.pipeline().addLast(myHttp2Handler, new Http2RecyclingHandler(recycler));
 * // h2c upgrade with Http2FrameCodec
 * new Http2ServerUpgradeCodec(frameCodec, new Http2RecyclingHandler(recycler), multiplexHandler);
 * }</pre>
 *
 * <p>It may also be added before the {@code Http2ConnectionHandler} exists, for example after a
 * {@code CleartextHttp2ServerUpgradeHandler} or an {@code HttpServerUpgradeHandler} whose codec
 * takes no extra handlers: it attaches when the upgrade event arrives.
 *
 * <p>Each remote stream counts as one request, from activation to close. A drain runs on the
 * channel's event loop:
 * <ol>
 *   <li>GOAWAY with last-stream-id 2<sup>31</sup>-1, {@code NO_ERROR} and the reason as debug data,
 *       followed by a PING. The client stops opening streams here, but streams it already sent
 *       are still accepted (RFC 9113 §6.8).
 *   <li>When the PING is acknowledged, or after
 *       {@link dev.respread.RecyclingConfig#finalGoAwayDelay()} (the PING timeout, default 5 s,
 *       at most a quarter of the grace), a second GOAWAY
 *       with the last stream actually created: by then every stream the client
 *       opened before it saw the first GOAWAY has arrived, so none is refused. Netty's own
 *       graceful close sends only one GOAWAY (netty/netty#3731).
 *   <li>When the last active stream closes, the connection waits up to
 *       {@link #CLIENT_CLOSE_WAIT} for the client to close it, as a client told to go away does
 *       once its streams are done; then it sends a FIN and only reads and discards until the
 *       client closes too (at most 5 seconds), so that no RST destroys the final GOAWAY before
 *       the client reads it. If streams are still running when the recycler's grace runs out,
 *       the recycler calls for a hard close.
 * </ol>
 * It never sends {@code ENHANCE_YOUR_CALM}: recycling is not the client's fault.
 *
 * <p>Not {@linkplain io.netty.channel.ChannelHandler.Sharable sharable}: create one per channel.
 */
public final class Http2RecyclingHandler extends ChannelInboundHandlerAdapter {
  /** The PING payload that marks respread's drain PING: "respread" in ASCII. */
  static final long PING_PAYLOAD = 0x7265737072656164L;
  /**
   * How long a connection with its final GOAWAY sent and no stream left waits for the client to
   * close before it closes itself. A FIN right behind the final GOAWAY races clients that are
   * still acting on the GOAWAY: the JDK HttpClient (17.0.21, h2c) then fails with
   * {@code EOFException} requests it would have retried or finished (measured with a drain every
   * ~5 requests: 84 of 37,228 requests failed with the FIN at once, none of 76,633 with it held
   * back a second; see BENCHMARKS.md). Clients that never close (h2load) cost this much more.
   */
  static final Duration CLIENT_CLOSE_WAIT = Duration.ofSeconds(1);

  private static final int SERVING = 0;
  private static final int AWAITING_PING_ACK = 1;
  private static final int FINAL_GOAWAY_SENT = 2;

  private final ConnectionRecycler recycler;
  private final Runnable finalGoAway = this::finalGoAway;
  private final Runnable closeWhenIdle = this::closeWhenIdle;
  private ChannelHandlerContext ctx;
  private ChannelHandlerContext http2Ctx;
  private Http2ConnectionHandler http2;
  private StreamListener listener;
  private TrackedConnection tracked;
  private int activeStreams;
  /**
   * The last remote stream created when this handler attached: those already active were counted
   * then, so a later activation event for one of them is not counted again.
   */
  private int lastStreamBeforeAttach;
  private int phase = SERVING;
  private RecycleReason reason;
  private ScheduledFuture<?> pingTimeout;
  /** The close after {@link #CLIENT_CLOSE_WAIT}, once the connection has nothing left to do. */
  private ScheduledFuture<?> clientCloseWait;

  /** A handler that reports to {@code recycler}. */
  public Http2RecyclingHandler(ConnectionRecycler recycler) {
    this.recycler = requireNonNull(recycler, "recycler");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    tryAttach();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    tryAttach();
    ctx.fireChannelActive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // HttpServerUpgradeHandler.UpgradeEvent and PriorKnowledgeUpgradeEvent follow the
    // Http2ConnectionHandler into the pipeline.
    tryAttach();
    ctx.fireUserEventTriggered(evt);
  }

  private void tryAttach() {
    if (http2 != null || !ctx.channel().isActive()) {
      return;
    }
    ChannelHandlerContext c = ctx.pipeline().context(Http2ConnectionHandler.class);
    if (c == null) {
      return;
    }
    Http2ConnectionDecoder decoder = ((Http2ConnectionHandler) c.handler()).decoder();
    Http2FrameListener frameListener = decoder.frameListener();
    if (frameListener == null) {
      throw new IllegalStateException("Http2RecyclingHandler: the Http2ConnectionHandler has no "
          + "frame listener yet (expected: add this handler after the frame listener is set)");
    }
    http2Ctx = c;
    http2 = (Http2ConnectionHandler) c.handler();
    decoder.frameListener(new PingAckListener(frameListener));
    tracked = recycler.register(new Drainable(), Protocol.HTTP_2);
    listener = new StreamListener();
    Http2Connection connection = http2.connection();
    lastStreamBeforeAttach = connection.remote().lastStreamCreated();
    connection.addListener(listener);
    // An upgrade creates stream 1 before the upgrade event reaches us. We may also be attaching
    // from inside stream 1's activation: Http2FrameCodec's own listener fires a user event for
    // it, and the connection then calls the listener just added for that same activation.
    try {
      connection.forEachActiveStream(stream -> {
        if (isRemote(stream)) {
          listener.count(stream);
        }
        return true;
      });
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean isRemote(Http2Stream stream) {
    return http2.connection().remote().isValidStreamId(stream.id());
  }

  private final class StreamListener extends Http2ConnectionAdapter {
    @Override
    public void onStreamActive(Http2Stream stream) {
      if (isRemote(stream) && stream.id() > lastStreamBeforeAttach) {
        count(stream);
      }
    }

    void count(Http2Stream stream) {
      activeStreams++;
      tracked.requestStarted();
    }

    @Override
    public void onStreamClosed(Http2Stream stream) {
      if (isRemote(stream) && activeStreams > 0) {
        activeStreams--;
        tracked.requestFinished();
        if (activeStreams == 0 && phase == FINAL_GOAWAY_SENT) {
          // Not from inside the codec's stream bookkeeping: close on the next turn of the loop.
          ctx.channel().eventLoop().execute(closeWhenIdle);
        }
      }
    }
  }

  /** Sees PING acks for both handler shapes, since a subclass consumes frames itself. */
  private final class PingAckListener extends Http2FrameListenerDecorator {
    PingAckListener(Http2FrameListener delegate) {
      super(delegate);
    }

    @Override
    public void onPingAckRead(ChannelHandlerContext c, long data) throws Http2Exception {
      if (data == PING_PAYLOAD && phase == AWAITING_PING_ACK) {
        finalGoAway();
      }
      super.onPingAckRead(c, data);
    }
  }

  private void startDrain(RecycleReason why) {
    if (phase != SERVING || !ctx.channel().isActive()) {
      return;
    }
    phase = AWAITING_PING_ACK;
    reason = why;
    http2.goAway(http2Ctx, Integer.MAX_VALUE, Http2Error.NO_ERROR.code(),
        ByteBufUtil.writeAscii(ctx.alloc(), why.tagValue()), http2Ctx.newPromise());
    http2.encoder().writePing(http2Ctx, false, PING_PAYLOAD, http2Ctx.newPromise());
    http2.flush(http2Ctx);
    pingTimeout = ctx.channel().eventLoop().schedule(finalGoAway,
        recycler.config().finalGoAwayDelay().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void finalGoAway() {
    if (phase != AWAITING_PING_ACK || !ctx.channel().isActive()) {
      return;
    }
    phase = FINAL_GOAWAY_SENT;
    cancelPingTimeout();
    int lastStreamId = http2.connection().remote().lastStreamCreated();
    http2.goAway(http2Ctx, lastStreamId, Http2Error.NO_ERROR.code(),
        ByteBufUtil.writeAscii(ctx.alloc(), reason.tagValue()), http2Ctx.newPromise());
    http2.flush(http2Ctx);
    closeWhenIdle();
  }

  private void closeWhenIdle() {
    if (activeStreams == 0 && ctx.channel().isActive() && clientCloseWait == null) {
      http2.flush(http2Ctx);
      // RFC 9113 §6.8: the client closes once its streams are done; give it the chance first.
      clientCloseWait = ctx.channel().eventLoop().schedule(this::close,
          CLIENT_CLOSE_WAIT.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void close() {
    if (ctx.channel().isActive()) {
      // The empty write completes only once everything before it is on the wire; only then may
      // the output shut down, which would drop bytes still queued.
      http2Ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(LingeringClose.AFTER_WRITE);
    }
  }

  private void cancelPingTimeout() {
    if (pingTimeout != null) {
      pingTimeout.cancel(false);
      pingTimeout = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    detach();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    detach();
  }

  private void detach() {
    cancelPingTimeout();
    if (clientCloseWait != null) {
      clientCloseWait.cancel(false);
    }
    if (tracked != null) {
      tracked.closed();
    }
    if (listener != null) {
      http2.connection().removeListener(listener);
      listener = null;
    }
  }

  private final class Drainable implements DrainableConnection {
    @Override
    public void drain(RecycleReason why, Duration grace) {
      // Always a new task, even on the event loop: the engine may call this from inside
      // onStreamActive, in the middle of the codec reading a HEADERS frame.
      EventLoop loop = ctx.channel().eventLoop();
      loop.execute(() -> startDrain(why));
    }

    @Override
    public void forceClose() {
      ctx.channel().eventLoop().execute(() -> {
        cancelPingTimeout();
        // From the Http2ConnectionHandler's context outwards, which skips its graceful close.
        http2Ctx.close();
      });
    }
  }
}
