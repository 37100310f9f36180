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

/** Spring MVC on Tomcat: the servlet filter recycles HTTP/1.1 connections. */
@SpringBootTest(classes = TestApp.class, webEnvironment = WebEnvironment.RANDOM_PORT,
    properties = {"spring.main.web-application-type=servlet", TestApp.RECYCLE_OFTEN_ARG,
        "spring.autoconfigure.exclude=" + TestApp.JETTY})
class MvcTomcatTest {
  @Value("${local.server.port}")
  int port;
  @Autowired
  MeterRegistry registry;
  @Autowired
  WebServerApplicationContext context;

  @Test
  void connectionsAreRecycledWithoutAFailedRequest() throws Exception {
    assertThat(context.getWebServer().getClass().getSimpleName()).isEqualTo("TomcatWebServer");
    Drains.assertRecycledWithoutAFailure(registry, Protocol.HTTP_1_1,
        () -> Http1Clients.get(port, Drains.CLIENTS, Drains.REQUESTS));
  }
}
