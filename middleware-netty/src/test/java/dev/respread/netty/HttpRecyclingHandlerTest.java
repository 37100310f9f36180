package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.testing.FakeClock;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.stream.ChunkedStream;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP/1.1 handler in an EmbeddedChannel: which response carries {@code Connection: close},
 * which requests are passed on, and when the channel closes. The application is the test itself:
 * it reads requests with readInbound and writes responses with writeOutbound.
 */
class HttpRecyclingHandlerTest {
  private final FakeClock clock = new FakeClock();

  private Recyclers recyclers;
  private EmbeddedChannel channel;

  @AfterEach
  void tearDown() {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
    recyclers.close();
  }

  private void start(long requestCap) {
    recyclers = new Recyclers(Recyclers.capOnly(requestCap).build());
    channel = new EmbeddedChannel(new HttpRecyclingHandler(recyclers.recycler));
  }

  private static HttpRequest get(String uri) {
    return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private static FullHttpResponse ok() {
    return new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        Unpooled.EMPTY_BUFFER);
  }

  /** The next message the handler passed on to the application, or null. */
  private Object passedOn() {
    return channel.readInbound();
  }

  /** The next message the handler wrote towards the client, or null. */
  private Object written() {
    return channel.readOutbound();
  }

  /** The next response carries {@code Connection: close}, and the connection is closed. */
  private void assertNextResponseClosesTheConnection() {
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");
    // EmbeddedChannel cannot half-close, so it closes once the response is written.
    assertThat(channel.isOpen()).isFalse();
  }

  /** The next response carries no {@code Connection} header, and the connection stays open. */
  private void assertNextResponseKeepsTheConnection() {
    assertThat(connectionHeaderOfNextResponse()).isNull();
    assertThat(channel.isOpen()).isTrue();
  }

  private String connectionHeaderOfNextResponse() {
    HttpResponse response = channel.readOutbound();
    assertThat(response).isNotNull();
    return response.headers().get(HttpHeaderNames.CONNECTION);
  }

  @Test
  void responsesBeforeTheDecisionKeepTheConnection() {
    start(3);
    for (int i = 0; i < 2; i++) {
      channel.writeInbound(get("/" + i));
      assertThat(passedOn()).isNotNull();
      channel.writeOutbound(ok());
      assertThat(connectionHeaderOfNextResponse()).isNull();
    }
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void closeGoesOnTheResponseToTheRequestThatReachedTheCapAndTheChannelCloses() {
    start(2);
    channel.writeInbound(get("/1"));
    channel.writeOutbound(ok());
    channel.writeInbound(get("/2"));
    channel.writeOutbound(ok());

    assertThat(connectionHeaderOfNextResponse()).isNull();
    assertNextResponseClosesTheConnection();
    assertThat(recyclers.drained()).isEqualTo(1);
  }

  @Test
  void requestsPipelinedAfterTheDecisionAreNotPassedOnAndTheLastOnePassedOnCarriesTheClose() {
    start(2);
    // The second request reaches the cap; the third is read after that decision.
    channel.writeInbound(get("/1"), get("/2"), get("/3"));
    assertThat(passedOn()).isNotNull();
    assertThat(passedOn()).isNotNull();
    assertThat(passedOn()).isNull();

    channel.writeOutbound(ok());
    assertNextResponseKeepsTheConnection();

    channel.writeOutbound(ok());
    assertNextResponseClosesTheConnection();
    assertThat(recyclers.requestsOnClosedConnections()).isEqualTo(2);
  }

  @Test
  void aClientThatKeepsItsPipelineFullIsHandedTheCloseOnTheNextResponse() {
    start(2);
    channel.writeInbound(get("/1"), get("/2"));
    assertThat(passedOn()).isNotNull();
    assertThat(passedOn()).isNotNull();
    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isNull();

    // Each answer is followed by another pipelined request: had it been passed on, the close
    // would wait for its response, and so on for as long as the client keeps sending.
    channel.writeInbound(get("/3"));
    assertThat(passedOn()).isNull();
    channel.writeOutbound(ok());

    assertNextResponseClosesTheConnection();
  }

  @Test
  void aRequestReadWhileTheOnlyEarlierResponseIsAlreadyStreamingIsPassedOnToCarryTheClose()
      throws InterruptedException {
    startAgeOnly(Duration.ofHours(1));
    channel.writeInbound(get("/1"));
    assertThat(passedOn()).isNotNull();
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(connectionHeaderOfNextResponse()).isNull();
    awaitDrained();

    channel.writeInbound(get("/2"));
    assertThat(passedOn()).isNotNull();
    channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(channel.isOpen()).isTrue();
    assertThat(written()).isNotNull();
    channel.writeOutbound(ok());
    assertNextResponseClosesTheConnection();
  }

  /** Serves one request and response that leave the connection open. */
  private void serveOne() {
    channel.writeInbound(get("/0"));
    assertThat(passedOn()).isNotNull();
    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isNull();
  }

  /** The ways the body of a response can end. */
  enum ResponseEnd {
    LAST_CONTENT {
      @Override
      Object message() {
        return LastHttpContent.EMPTY_LAST_CONTENT;
      }
    },
    /** A ChunkedWriteHandler closer to the codec turns it into contents and the last content. */
    HTTP_CHUNKED_INPUT {
      @Override
      Object message() {
        return new HttpChunkedInput(new ChunkedStream(
            new ByteArrayInputStream(HelloHttp1Handler.HELLO)));
      }
    };

    abstract Object message();
  }

  @ParameterizedTest
  @EnumSource(ResponseEnd.class)
  void requestsReadAfterTheClosingResponseStartedAreNotPassedOnAndItsEndClosesTheConnection(
      ResponseEnd end) {
    start(2);
    serveOne();
    channel.writeInbound(get("/1"));
    assertThat(passedOn()).isNotNull();
    // The head of the closing response goes out; its body is still being written.
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");

    channel.writeInbound(get("/2"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(passedOn()).isNull();
    assertThat(channel.isOpen()).isTrue();

    channel.writeOutbound(end.message());
    assertThat(channel.isOpen()).isFalse();
    assertThat(recyclers.requestsOnClosedConnections()).isEqualTo(2);
  }

  @Test
  void informationalResponsesNeitherCountNorCarryTheClose() {
    start(2);
    serveOne();
    channel.writeInbound(get("/1"));
    assertThat(passedOn()).isNotNull();
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.CONTINUE));
    assertNextResponseKeepsTheConnection();

    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");
  }

  /**
   * A recycler that drains by age after half a second (time enough for a test's first steps on
   * a busy machine), and judges the grace {@code grace} later.
   */
  private void startAgeOnly(Duration grace) {
    recyclers = new Recyclers(Recyclers.capOnly(0).maxConnectionAge(Duration.ofMillis(500))
        .maxConnectionAgeGrace(grace).build(), clock);
    channel = new EmbeddedChannel(new HttpRecyclingHandler(recyclers.recycler));
  }

  /** Moves the fake clock past the connection's age, so that the recycler drains it. */
  private void awaitDrained() {
    clock.advance(Duration.ofMillis(600));
    assertThat(recyclers.drained()).isEqualTo(1);
  }

  /** Lets the grace after the drain run out and the recycler judge it. */
  private void outliveTheGrace() {
    clock.advance(Duration.ofMillis(300));
    channel.runPendingTasks();
  }

  @Test
  void anIdleConnectionIsNeverClosedOutOfBand() throws InterruptedException {
    startAgeOnly(Duration.ofMillis(100));
    channel.writeInbound(get("/1"));
    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isNull();

    // The age passes while the connection is idle, then the grace too.
    awaitDrained();
    outliveTheGrace();
    assertThat(channel.isOpen()).isTrue();
    assertThat(written()).isNull();
    assertThat(recyclers.forced()).isZero();

    // The next response carries the close instead.
    channel.writeInbound(get("/2"));
    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");
  }

  @Test
  void aResponseNotYetWrittenToTheSocketKeepsItsRequestInFlightSoTheGraceEndsItHard() {
    startAgeOnly(Duration.ofMillis(100));
    channel.writeInbound(get("/1"));
    assertThat(passedOn()).isNotNull();
    // Handed to the pipeline whole but never flushed, as with a client that stops reading.
    channel.write(ok());

    awaitDrained();
    outliveTheGrace();

    assertThat(recyclers.forced()).isEqualTo(1);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aResponseWhoseEndThisHandlerCannotSeeEndsWhenTheNextResponseStarts()
      throws InterruptedException {
    startAgeOnly(Duration.ofMillis(100));
    channel.writeInbound(get("/1"));
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK),
        Unpooled.wrappedBuffer(HelloHttp1Handler.HELLO));
    channel.writeInbound(get("/2"));
    channel.writeOutbound(ok());
    channel.releaseOutbound();

    // Both requests are over, so the connection is idle: it is not closed after the grace.
    awaitDrained();
    outliveTheGrace();
    assertThat(channel.isOpen()).isTrue();
    assertThat(recyclers.forced()).isZero();
  }

  @Test
  void aSwitchToAnotherProtocolEndsTheTrackingSoTheConnectionIsNeverClosedForIt() {
    start(0);
    channel.writeInbound(get("/websocket"));
    assertThat(recyclers.recycler.openConnections()).isEqualTo(1);

    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.SWITCHING_PROTOCOLS));

    assertThat(connectionHeaderOfNextResponse()).isNull();
    assertThat(recyclers.recycler.openConnections()).isZero();
    assertThat(channel.pipeline().get(HttpRecyclingHandler.class)).isNull();
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void anH2cUpgradeAfterHttp1RequestsReportsTheHttp1ConnectionClosed() {
    recyclers = new Recyclers(Recyclers.capOnly(0).build());
    HttpServerCodec codec = new HttpServerCodec();
    HttpServerUpgradeHandler.UpgradeCodec upgradeCodec =
        new HttpServerUpgradeHandler.UpgradeCodec() {
      @Override
      public Collection<CharSequence> requiredUpgradeHeaders() {
        return List.of();
      }

      @Override
      public boolean prepareUpgradeResponse(ChannelHandlerContext ctx, FullHttpRequest request,
          HttpHeaders headers) {
        return true;
      }

      @Override
      public void upgradeTo(ChannelHandlerContext ctx, FullHttpRequest request) {
        // The new protocol's handlers would go here.
      }
    };
    channel = new EmbeddedChannel(codec,
        new HttpServerUpgradeHandler(codec, protocol -> upgradeCodec, 1024),
        new HttpRecyclingHandler(recyclers.recycler));
    channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        StandardCharsets.US_ASCII));
    assertThat(passedOn()).isInstanceOf(HttpRequest.class);
    assertThat(recyclers.recycler.openConnections()).isEqualTo(1);
    channel.writeOutbound(ok());
    channel.releaseOutbound();

    channel.writeInbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: a\r\n"
        + "Upgrade: h2c\r\nConnection: Upgrade\r\n\r\n", StandardCharsets.US_ASCII));

    assertThat(channel.pipeline().get(HttpRecyclingHandler.class)).isNull();
    assertThat(recyclers.recycler.openConnections()).isZero();
    assertThat(channel.isOpen()).isTrue();
    channel.releaseInbound();
  }

  @Test
  void theConnectionIsReportedOnceItsFirstRequestArrivesAndClosedWithTheChannel() {
    start(0);
    assertThat(recyclers.recycler.openConnections()).isZero();
    channel.writeInbound(get("/1"));
    assertThat(recyclers.recycler.openConnections()).isEqualTo(1);
    channel.close();
    assertThat(recyclers.recycler.openConnections()).isZero();
  }
}
