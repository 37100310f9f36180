package dev.respread.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import reactor.netty.http.HttpProtocol;

/**
 * WebFlux on Reactor Netty with HTTP/1.1 only (Netty 4.2, which respread-netty is not compiled
 * against): the handler after the {@code HttpServerCodec} recycles connections.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=reactive", TestApp.RECYCLE_OFTEN_ARG,
        "spring.autoconfigure.exclude=" + TestApp.TOMCAT_REACTIVE + "," + TestApp.JETTY_REACTIVE})
class WebFluxHttp1Test {
  @Value("${local.server.port}")
  int port;
  @Autowired
  MeterRegistry registry;
  @Autowired
  WebServerApplicationContext context;

  @Test
  void connectionsAreRecycledWithoutAFailedRequest() throws Exception {
    assertThat(context.getWebServer().getClass().getSimpleName()).isEqualTo("NettyWebServer");
    assertThat(io.netty.util.Version.identify().get("netty-codec-http2").artifactVersion())
        .startsWith("4.2.");
    Drains.assertRecycledWithoutAFailure(registry, Protocol.HTTP_1_1,
        () -> ReactorClients.get(port, Drains.CLIENTS, Drains.REQUESTS, HttpProtocol.HTTP11));
  }
}
