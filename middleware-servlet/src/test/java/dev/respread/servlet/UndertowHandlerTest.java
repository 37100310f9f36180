package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RecyclingUndertowHandler}: Undertow without servlets, HTTP/1.1 and h2c. */
class UndertowHandlerTest {
  private Recycling recycling;
  private Undertow server;
  private String url;

  @BeforeEach
  void start() {
    recycling = Recycling.fastRecycling();
    server = Undertow.builder()
        .addHttpListener(0, "127.0.0.1")
        .setServerOption(UndertowOptions.ENABLE_HTTP2, true)
        .setHandler(new RecyclingUndertowHandler(recycling.recycler, exchange -> {
          exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain");
          exchange.getResponseSender().send(exchange.getSourceAddress().getPort() + " hello",
              StandardCharsets.US_ASCII);
        }))
        .build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    url = "http://127.0.0.1:" + port + "/hello";
  }

  @AfterEach
  void stop() {
    server.stop();
    recycling.close();
  }

  @Test
  void jdkHttpClientOverHttp11SeesNoFailureWhileConnectionsAreRecycled() throws Exception {
    Clients.Result r = Clients.jdkHttp11(url, 4, 400);

    r.assertNoFailures(400);
    recycling.assertRecycled("http/1.1", r.clientConnections());
  }

  @Test
  void okHttpWithH2PriorKnowledgeSeesNoFailureWhileConnectionsAreRecycled() throws Exception {
    Clients.Result r = Clients.okHttpH2(url, 8, 1000);

    r.assertNoFailures(1000);
    recycling.assertRecycled("h2", r.clientConnections());
    assertThat(recycling.forced()).isZero();
  }
}
