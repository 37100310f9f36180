package dev.respread.spring;

import dev.respread.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import reactor.netty.http.HttpProtocol;

/**
 * WebFlux on Reactor Netty with {@code server.http2.enabled}: HTTP/1.1 and h2c on one port, on
 * Netty 4.2. HTTP/1.1 connections pass through the h2c upgrade handler, h2c ones (prior
 * knowledge or upgraded from HTTP/1.1) are drained with the two-phase GOAWAY.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=reactive", TestApp.RECYCLE_OFTEN_ARG,
        "server.http2.enabled=true",
        "spring.autoconfigure.exclude=" + TestApp.TOMCAT_REACTIVE + "," + TestApp.JETTY_REACTIVE})
class WebFluxH2cTest {
  @Value("${local.server.port}")
  int port;
  @Autowired
  MeterRegistry registry;

  @Test
  void h2cConnectionsAreRecycledWithoutAFailedRequest() throws Exception {
    Drains.assertRecycledWithoutAFailure(registry, Protocol.HTTP_2,
        () -> ReactorClients.get(port, Drains.CLIENTS, Drains.REQUESTS, HttpProtocol.H2C));
  }

  @Test
  void http1ConnectionsBesideH2cAreRecycledWithoutAFailedRequest() throws Exception {
    Drains.assertRecycledWithoutAFailure(registry, Protocol.HTTP_1_1,
        () -> ReactorClients.get(port, Drains.CLIENTS, Drains.REQUESTS, HttpProtocol.HTTP11));
  }

  @Test
  void connectionsUpgradedToH2cAreRecycledWithoutAFailedRequest() throws Exception {
    Drains.assertRecycledWithoutAFailure(registry, Protocol.HTTP_2,
        () -> ReactorClients.get(port, Drains.CLIENTS, Drains.REQUESTS, HttpProtocol.HTTP11,
            HttpProtocol.H2C));
  }
}
