package dev.respread.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.NettyGrpcServerFactory;
import org.springframework.grpc.server.ShadedNettyGrpcServerFactory;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * Spring gRPC's server on grpc-netty-shaded (its default) and on grpc-netty (on Netty 4.2):
 * calls from grpc-java channels while connections are recycled every five calls.
 */
class SpringGrpcTest {

  @Test
  void grpcNettyShadedConnectionsAreRecycledWithoutAFailedCall() throws Exception {
    try (ConfigurableApplicationContext context = start(new DefaultResourceLoader())) {
      assertThat(context.getBean(GrpcServerFactory.class))
          .isInstanceOf(ShadedNettyGrpcServerFactory.class);
      assertRecycledWithoutFailure(context);
    }
  }

  @Test
  void grpcNettyConnectionsAreRecycledWithoutAFailedCall() throws Exception {
    // Spring gRPC prefers grpc-netty-shaded when both are there: hide it.
    FilteredClassLoader withoutShaded = new FilteredClassLoader("io.grpc.netty.shaded.");
    try (ConfigurableApplicationContext context =
        start(new DefaultResourceLoader(withoutShaded))) {
      assertThat(context.getBean(GrpcServerFactory.class))
          .isInstanceOf(NettyGrpcServerFactory.class);
      assertRecycledWithoutFailure(context);
    }
  }

  private static ConfigurableApplicationContext start(DefaultResourceLoader loader) {
    return new SpringApplicationBuilder(TestApp.class).resourceLoader(loader)
        .web(WebApplicationType.NONE).properties(TestApp.RECYCLE_OFTEN_ARG.split("\n"))
        .run();
  }

  private static void assertRecycledWithoutFailure(ConfigurableApplicationContext context)
      throws Exception {
    int port = context.getBean(GrpcServerLifecycle.class).getPort();
    MeterRegistry registry = context.getBean(MeterRegistry.class);

    Drains.assertRecycledWithoutAFailure(registry, Protocol.GRPC,
        () -> GrpcClients.echo(port, Drains.CLIENTS, Drains.REQUESTS));
  }
}
