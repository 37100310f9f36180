package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP/2 handler in an EmbeddedChannel, talking to a Netty client in another
 * EmbeddedChannel: the frames the client receives during a drain, for both server shapes.
 */
class Http2RecyclingHandlerTest {
  private static final Duration PING_TIMEOUT = Duration.ofSeconds(1);
  private static final String FIRST_GOAWAY = "GOAWAY " + Integer.MAX_VALUE + " 0 max_requests";

  /** The two ways to build an HTTP/2 server with Netty. */
  enum ServerShape {
    FRAME_CODEC, SUBCLASS
  }

  private Recyclers recyclers;
  private EmbeddedChannel server;
  private EmbeddedChannel client;
  private Http2ConnectionHandler clientHandler;
  /** Frames the client received, in order, as text. */
  private final List<String> frames = new ArrayList<>();

  @AfterEach
  void tearDown() {
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
    recyclers.close();
  }

  private void start(ServerShape shape, boolean clientAcksPings) {
    recyclers = new Recyclers(Recyclers.capOnly(2).goAwayPingTimeout(PING_TIMEOUT).build());
    Http2RecyclingHandler recycling = new Http2RecyclingHandler(recyclers.recycler);
    ChannelHandler[] handlers = shape == ServerShape.FRAME_CODEC
        ? new ChannelHandler[] {Http2FrameCodecBuilder.forServer().build(), recycling,
            new Http2MultiplexHandler(new HelloHttp2StreamHandler())}
        : new ChannelHandler[] {HelloHttp2ConnectionHandler.create(), recycling};
    server = new EmbeddedChannel(handlers);
    server.freezeTime();
    clientHandler = new ClientBuilder(new Recorder(), clientAcksPings).build();
    client = new EmbeddedChannel(clientHandler);
    pump();
  }

  // Streams start at 3: in an EmbeddedChannel, which has no server parent, Http2MultiplexHandler
  // takes stream 1 for a client-side upgrade stream.

  /** Moves bytes both ways until neither side has anything left to say. */
  private void pump() {
    boolean moved;
    do {
      moved = false;
      server.runPendingTasks();
      for (Object msg; (msg = client.readOutbound()) != null; moved = true) {
        server.writeInbound(msg);
      }
      for (Object msg; (msg = server.readOutbound()) != null; moved = true) {
        client.writeInbound(msg);
      }
    } while (moved);
  }

  private void openStream(int id, String path) {
    Http2Headers headers = new DefaultHttp2Headers().method("GET").scheme("http")
        .authority("localhost").path(path);
    ChannelHandlerContext ctx = client.pipeline().context(clientHandler);
    clientHandler.encoder().writeHeaders(ctx, id, headers, 0, true, ctx.newPromise());
    ctx.flush();
    pump();
  }

  private void advance(Duration time) {
    server.advanceTimeBy(time.toNanos(), TimeUnit.NANOSECONDS);
    server.runScheduledPendingTasks();
    pump();
  }

  private List<String> goAwaysAndPings() {
    return frames.stream().filter(f -> f.startsWith("GOAWAY") || f.startsWith("PING")).toList();
  }

  @ParameterizedTest
  @EnumSource(ServerShape.class)
  void drainSendsGoAwayWithMaxStreamIdAndPingThenFinalGoAwayOnThePingAck(ServerShape shape) {
    start(shape, true);
    openStream(3, "/");
    assertThat(goAwaysAndPings()).isEmpty();

    openStream(5, "/");

    assertThat(goAwaysAndPings()).containsExactly(FIRST_GOAWAY,
        "PING " + Http2RecyclingHandler.PING_PAYLOAD, "GOAWAY 5 0 max_requests");
    assertThat(frames).contains("DATA 3 end", "DATA 5 end");
    assertThat(recyclers.drained()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(ServerShape.class)
  void afterTheFinalGoAwayAnIdleConnectionWaitsForTheClientToCloseBeforeClosingItself(
      ServerShape shape) {
    start(shape, true);
    openStream(3, "/");
    openStream(5, "/");
    assertThat(goAwaysAndPings()).endsWith("GOAWAY 5 0 max_requests");

    advance(Http2RecyclingHandler.CLIENT_CLOSE_WAIT.minusMillis(1));
    assertThat(server.isOpen()).isTrue();

    advance(Duration.ofMillis(1));
    assertThat(server.isOpen()).isFalse();
    assertThat(recyclers.recycler.openConnections()).isZero();
  }

  @ParameterizedTest
  @EnumSource(ServerShape.class)
  void streamsOpenedAfterTheFirstGoAwayAreServedAndCountInTheFinalLastStreamId(
      ServerShape shape) {
    start(shape, false);
    openStream(3, "/");
    openStream(5, "/");
    assertThat(goAwaysAndPings()).containsExactly(FIRST_GOAWAY,
        "PING " + Http2RecyclingHandler.PING_PAYLOAD);

    // The client had sent this stream before it read the first GOAWAY.
    openStream(7, "/");
    assertThat(frames).contains("DATA 7 end");
    assertThat(server.isOpen()).isTrue();

    ChannelHandlerContext ctx = client.pipeline().context(clientHandler);
    clientHandler.encoder().writePing(ctx, true, Http2RecyclingHandler.PING_PAYLOAD,
        ctx.newPromise());
    ctx.flush();
    pump();

    assertThat(goAwaysAndPings()).endsWith("GOAWAY 7 0 max_requests");
  }

  @ParameterizedTest
  @EnumSource(ServerShape.class)
  void withoutAPingAckTheFinalGoAwayFollowsAfterTheTimeout(ServerShape shape) {
    start(shape, false);
    openStream(3, "/");
    openStream(5, "/");
    advance(PING_TIMEOUT.minusMillis(1));
    assertThat(goAwaysAndPings()).hasSize(2);

    advance(Duration.ofMillis(1));

    assertThat(goAwaysAndPings()).containsExactly(FIRST_GOAWAY,
        "PING " + Http2RecyclingHandler.PING_PAYLOAD, "GOAWAY 5 0 max_requests");
  }

  @ParameterizedTest
  @EnumSource(ServerShape.class)
  void theConnectionStaysOpenUntilItsLastActiveStreamEnds(ServerShape shape) {
    start(shape, true);
    openStream(3, "/sleep/10000");
    openStream(5, "/");
    assertThat(goAwaysAndPings()).endsWith("GOAWAY 5 0 max_requests");
    assertThat(server.isOpen()).isTrue();
    advance(Duration.ofSeconds(10));
    assertThat(frames).contains("DATA 3 end");

    advance(Http2RecyclingHandler.CLIENT_CLOSE_WAIT);
    assertThat(server.isOpen()).isFalse();
    assertThat(recyclers.recycler.openConnections()).isZero();
  }

  private final class Recorder extends PlainHeadersFrameAdapter {
    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode,
        ByteBuf debugData) {
      frames.add("GOAWAY " + lastStreamId + " " + errorCode + " "
          + debugData.toString(StandardCharsets.US_ASCII));
    }

    @Override
    public void onPingRead(ChannelHandlerContext ctx, long data) {
      frames.add("PING " + data);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers,
        int padding, boolean endStream) {
      frames.add("HEADERS " + streamId + " " + headers.status() + (endStream ? " end" : ""));
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding,
        boolean endOfStream) {
      frames.add("DATA " + streamId + (endOfStream ? " end" : ""));
      return data.readableBytes() + padding;
    }
  }

  private static final class ClientBuilder extends
      AbstractHttp2ConnectionHandlerBuilder<Http2ConnectionHandler, ClientBuilder> {
    ClientBuilder(Http2FrameAdapter listener, boolean acksPings) {
      server(false);
      frameListener(listener);
      autoAckPingFrame(acksPings);
      initialSettings(Http2Settings.defaultSettings());
    }

    @Override
    protected Http2ConnectionHandler build() {
      return super.build();
    }

    @Override
    protected Http2ConnectionHandler build(Http2ConnectionDecoder decoder,
        Http2ConnectionEncoder encoder, Http2Settings settings) {
      return new Http2ConnectionHandler(decoder, encoder, settings) {};
    }
  }
}
