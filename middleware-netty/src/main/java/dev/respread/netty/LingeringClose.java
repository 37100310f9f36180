package dev.respread.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Ends a connection whose last words (a {@code Connection: close} response, a final GOAWAY) are
 * written: TLS {@code close_notify} if there is an {@code SslHandler}, then a FIN, then it reads
 * and discards whatever the client still sends until the client closes too, for at most
 * {@link #LINGER}.
 *
 * <p>Closing both directions at once while the client's bytes sit unread in the receive buffer
 * makes the kernel send an RST, and an RST destroys data the client has not read yet, including
 * the response or GOAWAY that explains the close (RFC 9112 §9.6 "lingering close"; RFC 9113 §6.8
 * lets a server discard frames on streams above the GOAWAY's last-stream-id).
 */
final class LingeringClose {
  /** How long a half-closed connection waits for the client to close before it is closed. */
  static final Duration LINGER = Duration.ofSeconds(5);

  /**
   * Closes the connection of {@code written} this way once that write, the connection's last, has
   * reached the socket: shutting the output down earlier would drop bytes still queued.
   */
  static final ChannelFutureListener AFTER_WRITE = LingeringClose::afterWrite;

  private LingeringClose() {}

  private static void afterWrite(ChannelFuture written) {
    if (written.isSuccess()) {
      start(written.channel());
    } else {
      written.channel().close();
    }
  }

  /**
   * Starts the lingering close of {@code ch}; returns the timer that closes it after
   * {@link #LINGER}, or null if {@code ch} was closed at once or is already lingering.
   */
  static Future<?> start(Channel ch) {
    if (!(ch instanceof DuplexChannel) || !ch.isActive()) {
      ch.close();
      return null;
    }
    ChannelPipeline pipeline = ch.pipeline();
    if (pipeline.get(Silence.class) != null) {
      return null;
    }
    // Behind TLS, so that close_notify still goes out and what arrives is decrypted first.
    ChannelHandlerContext ssl = pipeline.context(SslHandler.class);
    if (ssl != null) {
      pipeline.addAfter(ssl.name(), null, new Silence());
    } else {
      pipeline.addFirst(new Silence());
    }
    ch.config().setAutoRead(true);
    Runnable close = ch::close;
    Future<?> timer = ch.eventLoop().schedule(close, LINGER.toNanos(), TimeUnit.NANOSECONDS);
    // Usually the client closes first: the timer must not hold on to the closed channel.
    ch.closeFuture().addListener(f -> timer.cancel(false));
    if (ssl != null) {
      ((SslHandler) ssl.handler()).closeOutbound()
          .addListener(f -> shutdownOutput((DuplexChannel) ch));
    } else {
      shutdownOutput((DuplexChannel) ch);
    }
    return timer;
  }

  private static void shutdownOutput(DuplexChannel ch) {
    ch.shutdownOutput().addListener(f -> {
      if (!f.isSuccess()) {
        ch.close();
      }
    });
  }

  /**
   * Drops what the client sends before any decoder sees it, and whatever the handlers behind
   * still try to write (an HTTP/2 codec answers streams above the last-stream-id with
   * RST_STREAM): a write after the FIN would fail, and the codec would answer that failure with
   * a full close, which is the RST this class exists to avoid.
   */
  private static final class Silence extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      // Swallowed with the reads.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        // The client has closed its side too.
        ctx.close();
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      ReferenceCountUtil.release(msg);
      promise.trySuccess();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
      // Nothing left to flush: every write is dropped.
    }
  }
}
