package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 handler in an EmbeddedChannel: which response carries {@code Connection: close},
 * which requests are passed on, and when the channel closes. The application is the test itself:
 * it reads requests with readInbound and writes responses with writeOutbound.
 */
class HttpRecyclingHandlerTest {
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
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");
    // EmbeddedChannel cannot half-close, so it closes once the response is written.
    assertThat(channel.isOpen()).isFalse();
    assertThat(recyclers.drained()).isEqualTo(1);
  }

  @Test
  void withPipeliningTheCloseGoesOnTheResponseToTheLastRequestRead() {
    start(2);
    channel.writeInbound(get("/1"), get("/2"), get("/3"));
    assertThat(passedOn()).isNotNull();
    assertThat(passedOn()).isNotNull();
    assertThat(passedOn()).isNotNull();

    channel.writeOutbound(ok(), ok());
    assertThat(connectionHeaderOfNextResponse()).isNull();
    assertThat(connectionHeaderOfNextResponse()).isNull();
    assertThat(channel.isOpen()).isTrue();

    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");
    assertThat(channel.isOpen()).isFalse();
  }

  /** Serves one request and response that leave the connection open. */
  private void serveOne() {
    channel.writeInbound(get("/0"));
    assertThat(passedOn()).isNotNull();
    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isNull();
  }

  @Test
  void requestsReadAfterTheClosingResponseStartedAreNotPassedOn() {
    start(2);
    serveOne();
    channel.writeInbound(get("/1"));
    assertThat(passedOn()).isNotNull();
    // The head of the closing response goes out; its body is still being written.
    channel.writeOutbound(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");

    channel.writeInbound(get("/2"), LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(passedOn()).isNull();

    channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void informationalResponsesNeitherCountNorCarryTheClose() {
    start(2);
    serveOne();
    channel.writeInbound(get("/1"));
    assertThat(passedOn()).isNotNull();
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.CONTINUE));
    assertThat(connectionHeaderOfNextResponse()).isNull();
    assertThat(channel.isOpen()).isTrue();

    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");
  }

  @Test
  void anIdleConnectionIsNeverClosedOutOfBand() throws InterruptedException {
    recyclers = new Recyclers(Recyclers.capOnly(0).maxConnectionAge(Duration.ofMillis(200))
        .maxConnectionAgeGrace(Duration.ofMillis(100)).build());
    channel = new EmbeddedChannel(new HttpRecyclingHandler(recyclers.recycler));
    channel.writeInbound(get("/1"));
    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isNull();

    // The age passes while the connection is idle, then the grace too.
    for (int i = 0; i < 100 && recyclers.drained() == 0; i++) {
      Thread.sleep(20);
    }
    assertThat(recyclers.drained()).isEqualTo(1);
    Thread.sleep(300);
    channel.runPendingTasks();
    assertThat(channel.isOpen()).isTrue();
    assertThat(written()).isNull();
    assertThat(recyclers.forced()).isZero();

    // The next response carries the close instead.
    channel.writeInbound(get("/2"));
    channel.writeOutbound(ok());
    assertThat(connectionHeaderOfNextResponse()).isEqualTo("close");
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
