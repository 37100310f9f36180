package dev.respread.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * Spring MVC on Jetty 12.1 (ee11) with {@code server.http2.enabled}: the servlet filter recycles
 * HTTP/1.1 connections with {@code Connection: close} and h2c ones with Jetty's graceful HTTP/2
 * shutdown.
 */
@SpringBootTest(classes = TestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=servlet", TestApp.RECYCLE_OFTEN_ARG,
        "server.http2.enabled=true", "spring.autoconfigure.exclude=" + TestApp.TOMCAT})
class MvcJettyTest {
  @Value("${local.server.port}")
  int port;
  @Autowired
  MeterRegistry registry;
  @Autowired
  WebServerApplicationContext context;

  @Test
  void http1ConnectionsAreRecycledWithoutAFailedRequest() throws Exception {
    assertThat(context.getWebServer().getClass().getSimpleName()).startsWith("Jetty");
    Drains.assertRecycledWithoutAFailure(registry, Protocol.HTTP_1_1,
        () -> Http1Clients.get(port, Drains.CLIENTS, Drains.REQUESTS));
  }

  @Test
  void h2cConnectionsAreRecycledWithoutAFailedRequest() throws Exception {
    Drains.assertRecycledWithoutAFailure(registry, Protocol.HTTP_2,
        () -> Http1Clients.get(port, Drains.CLIENTS, Drains.REQUESTS,
            () -> Http1Clients.client().newBuilder()
                .protocols(List.of(okhttp3.Protocol.H2_PRIOR_KNOWLEDGE)).build()));
  }
}
