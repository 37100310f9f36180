package dev.respread.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Netty HTTP/2 client (Http2FrameCodec + Http2MultiplexHandler) that behaves as a client
 * should: after a GOAWAY it opens no more streams on that connection and uses a new one.
 */
final class NettyH2Client implements AutoCloseable {
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  /** Retries run here: they may block on connecting, which the event loop must never do. */
  private final ExecutorService retries = Executors.newSingleThreadExecutor();
  private final int port;
  private final SslContext ssl;
  private final boolean autoAckPing;
  private final int initialWindow;
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger succeeded = new AtomicInteger();
  final AtomicInteger goAways = new AtomicInteger();
  /** Requests the server never saw (rejected by the client's own codec), retried elsewhere. */
  final AtomicInteger retriedUnsent = new AtomicInteger();
  final List<Throwable> failures = new CopyOnWriteArrayList<>();
  /** Every GOAWAY received, in order, on any connection. */
  final List<Long> goAwayLastStreamIds = new CopyOnWriteArrayList<>();
  /** Where the first GOAWAY fell among the events a test records on the event loop. */
  private volatile List<String> events;
  private Conn current;

  NettyH2Client(int port, SslContext ssl) {
    this(port, ssl, true, Http2CodecUtil.DEFAULT_WINDOW_SIZE);
  }

  NettyH2Client(int port, SslContext ssl, boolean autoAckPing, int initialWindow) {
    this.port = port;
    this.ssl = ssl;
    this.autoAckPing = autoAckPing;
    this.initialWindow = initialWindow;
  }

  /** Whether the first GOAWAY arrived before {@code event}, both recorded in {@code log}. */
  boolean firstGoAwayBefore(List<String> log, String event) {
    int goAway = log.indexOf("GOAWAY");
    return goAway >= 0 && goAway < log.indexOf(event);
  }

  /** Records GOAWAYs into {@code log} from now on. */
  void recordGoAwaysInto(List<String> log) {
    events = log;
  }

  /** One connection and the GOAWAYs it received. */
  static final class Conn {
    Channel channel;
    volatile boolean goAwayReceived;
  }

  /** A complete response. */
  record Response(int status, long bodyBytes, int streamId) {}

  synchronized Conn connection() throws InterruptedException {
    if (current == null || current.goAwayReceived || !current.channel.isActive()) {
      current = connect();
    }
    return current;
  }

  Conn connect() throws InterruptedException {
    Conn conn = new Conn();
    conn.channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (ssl != null) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "localhost", port));
            }
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient()
                    .autoAckPingFrame(autoAckPing)
                    .initialSettings(Http2Settings.defaultSettings()
                        .initialWindowSize(initialWindow))
                    .build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    if (msg instanceof Http2GoAwayFrame) {
                      conn.goAwayReceived = true;
                      goAways.incrementAndGet();
                      goAwayLastStreamIds.add((long) ((Http2GoAwayFrame) msg).lastStreamId());
                      List<String> e = events;
                      if (e != null) {
                        e.add("GOAWAY");
                      }
                    }
                    if (!(msg instanceof Http2PingFrame)) {
                      ReferenceCountUtil.release(msg);
                    }
                  }
                });
          }
        })
        .connect("127.0.0.1", port).sync().channel();
    connections.incrementAndGet();
    return conn;
  }

  /**
   * Sends GET {@code path} on {@code conn} unless it has received a GOAWAY, which fails the
   * future with {@link Unsent}. The check and the HEADERS happen in one event-loop task, so no
   * stream can start after this client has answered the server's PING: what a correct client
   * does (nghttp2 checks at send time too).
   */
  CompletableFuture<Response> request(Conn conn, String path) {
    return request(conn, path, true);
  }

  /** Like {@link #request(Conn, String)}, optionally ignoring GOAWAYs like a faulty client. */
  CompletableFuture<Response> request(Conn conn, String path, boolean respectGoAway) {
    CompletableFuture<Response> response = new CompletableFuture<>();
    conn.channel.eventLoop().execute(() -> {
      if (respectGoAway && (conn.goAwayReceived || !conn.channel.isActive())) {
        response.completeExceptionally(new Unsent(null));
        return;
      }
      new Http2StreamChannelBootstrap(conn.channel).handler(new Collector(response)).open()
          .addListener(f -> {
            if (!f.isSuccess()) {
              response.completeExceptionally(new Unsent(f.cause()));
              return;
            }
            Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
            DefaultHttp2Headers headers = new DefaultHttp2Headers();
            headers.method("GET").path(path).scheme(ssl != null ? "https" : "http")
                .authority("127.0.0.1:" + port);
            ChannelFuture written =
                stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
            written.addListener(w -> {
              if (!w.isSuccess()) {
                response.completeExceptionally(new Unsent(w.cause()));
              }
            });
          });
    });
    return response;
  }

  /**
   * Sends {@code total} requests, at most {@code concurrency} at once, moving to a new
   * connection after each GOAWAY. Failures are collected, not thrown.
   */
  void run(int total, int concurrency, String path) throws InterruptedException {
    Semaphore permits = new Semaphore(concurrency);
    for (int i = 0; i < total; i++) {
      if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
        failures.add(new AssertionError("no request finished for 60 s"));
        return;
      }
      send(path, permits, 10);
    }
    if (!permits.tryAcquire(concurrency, 60, TimeUnit.SECONDS)) {
      failures.add(new AssertionError("requests still running after 60 s"));
    }
  }

  private void send(String path, Semaphore permits, int attemptsLeft) throws InterruptedException {
    CompletableFuture<Response> response;
    try {
      response = request(connection(), path);
    } catch (RuntimeException e) {
      failures.add(e);
      permits.release();
      return;
    }
    response.whenComplete((r, e) -> {
      if (e instanceof Unsent && attemptsLeft > 1) {
        // The connection got a GOAWAY between choosing it and sending: the request never left
        // this client, so it goes to a new connection.
        retriedUnsent.incrementAndGet();
        retries.execute(() -> {
          try {
            send(path, permits, attemptsLeft - 1);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
          }
        });
        return;
      }
      if (e != null) {
        failures.add(e);
      } else if (r.status() != 200) {
        failures.add(new AssertionError("status " + r.status()));
      } else {
        succeeded.incrementAndGet();
      }
      permits.release();
    });
  }

  /** The request never left this client. */
  static final class Unsent extends IOException {
    Unsent(Throwable cause) {
      super(cause);
    }
  }

  /** A stream that ended without its response. */
  static final class StreamFailed extends IOException {
    final int streamId;

    StreamFailed(int streamId) {
      super("stream " + streamId + " closed before its end");
      this.streamId = streamId;
    }
  }

  private static final class Collector extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Response> response;
    private int status;
    private long bytes;
    private int streamId;

    Collector(CompletableFuture<Response> response) {
      this.response = response;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        streamId = ((Http2StreamChannel) ctx.channel()).stream().id();
        if (msg instanceof Http2HeadersFrame) {
          Http2HeadersFrame h = (Http2HeadersFrame) msg;
          status = h.headers().status() == null ? status : h.headers().getInt(":status");
          end(ctx, h.isEndStream());
        } else if (msg instanceof Http2DataFrame) {
          Http2DataFrame d = (Http2DataFrame) msg;
          ByteBuf content = d.content();
          bytes += content.readableBytes();
          end(ctx, d.isEndStream());
        } else if (msg instanceof Http2ResetFrame) {
          response.completeExceptionally(new IOException("RST_STREAM "
              + ((Http2ResetFrame) msg).errorCode() + " on stream " + streamId));
          ctx.close();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void end(ChannelHandlerContext ctx, boolean endStream) {
      if (endStream) {
        response.complete(new Response(status, bytes, streamId));
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      response.completeExceptionally(cause);
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      response.completeExceptionally(new StreamFailed(
          ((Http2StreamChannel) ctx.channel()).stream().id()));
    }
  }

  @Override
  public void close() {
    retries.shutdownNow();
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
