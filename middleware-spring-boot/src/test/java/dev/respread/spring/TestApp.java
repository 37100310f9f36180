package dev.respread.spring;

import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application the tests start: one endpoint that answers in Spring MVC and in WebFlux alike,
 * and one gRPC method for Spring gRPC, described by hand so that no protoc is needed.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class TestApp {
  static final String TOMCAT = "org.springframework.boot.tomcat.autoconfigure.servlet."
      + "TomcatServletWebServerAutoConfiguration";
  static final String JETTY = "org.springframework.boot.jetty.autoconfigure.servlet."
      + "JettyServletWebServerAutoConfiguration";
  static final String TOMCAT_REACTIVE = "org.springframework.boot.tomcat.autoconfigure.reactive."
      + "TomcatReactiveWebServerAutoConfiguration";
  static final String JETTY_REACTIVE = "org.springframework.boot.jetty.autoconfigure.reactive."
      + "JettyReactiveWebServerAutoConfiguration";

  /**
   * Settings that recycle a connection every five requests and do not wait before the shutdown
   * drain, as one inlined properties line (annotations take no arrays built in code).
   */
  static final String RECYCLE_OFTEN_ARG = "respread.max-requests-per-connection=5\n"
      + "respread.jitter=0\n"
      + "respread.max-connection-age-grace=2s\n"
      + "respread.shutdown-delay=0s\n"
      + "spring.grpc.server.port=0";

  static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodType.UNARY)
      .setFullMethodName(MethodDescriptor.generateFullMethodName("respread.test.Echo", "Echo"))
      .setRequestMarshaller(RawBytes.INSTANCE)
      .setResponseMarshaller(RawBytes.INSTANCE)
      .build();

  @RestController
  static class Hello {
    @GetMapping("/hello")
    String hello() {
      return "hello";
    }
  }

  @Bean
  BindableService echoService() {
    return () -> ServerServiceDefinition.builder("respread.test.Echo")
        .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, response) -> {
          response.onNext(request);
          response.onCompleted();
        }))
        .build();
  }

  /** A message is its bytes. */
  enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
