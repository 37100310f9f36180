package dev.respread.spring;

import dev.respread.ConnectionRecycler;
import dev.respread.servlet.RecyclingServletFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import jakarta.servlet.DispatcherType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * Turns respread on for the application's servers: one {@link ConnectionRecycler} from the
 * {@code respread.*} properties (or the {@code RESPREAD_*} environment variables they stand for),
 * reporting to the application's {@link MeterRegistry}, wired into each server it finds:
 * <ul>
 *   <li>Spring MVC on Tomcat or Jetty: the {@link RecyclingServletFilter}, first in the chain;
 *   <li>WebFlux on Reactor Netty: respread-netty's handlers, through a
 *       {@code NettyServerCustomizer}, for HTTP/1.1 and h2c;
 *   <li>Spring gRPC on grpc-netty or grpc-netty-shaded: {@code GrpcRecycling}, through a
 *       {@code ServerBuilderCustomizer}.
 * </ul>
 * When the context closes, the recycler's shutdown drain completes before any server begins
 * its own shutdown; then the recycler and its load view are closed with the context.
 *
 * <p>A {@link ConnectionRecycler} bean of the application's own replaces the one built here, and
 * is wired the same way. {@code respread.enabled=false} keeps the wiring and the meters but never
 * drains a connection, as {@code RESPREAD_ENABLED=false} does everywhere; exclude this class to
 * leave respread out altogether.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration"})
public final class RespreadAutoConfiguration {

  RespreadAutoConfiguration() {}

  /**
   * The recycler, reporting to the application's registry, or to Micrometer's global registry
   * if there is none.
   *
   * @throws dev.respread.InvalidConfigurationException naming every bad setting
   */
  @Bean
  @ConditionalOnMissingBean
  ConnectionRecycler respreadConnectionRecycler(Environment environment,
      ObjectProvider<MeterRegistry> registry) {
    return RespreadSettings.recycler(environment, registry.getIfUnique(() -> Metrics.globalRegistry));
  }

  @Bean(RecyclerShutdownLifecycle.BEAN_NAME)
  RecyclerShutdownLifecycle respreadShutdownLifecycle(ConnectionRecycler recycler) {
    return new RecyclerShutdownLifecycle(recycler);
  }

  /** Spring MVC on Tomcat or Jetty. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = Type.SERVLET)
  @ConditionalOnClass({FilterRegistrationBean.class, RecyclingServletFilter.class,
      DispatcherType.class})
  static class ServletConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "respreadServletFilter")
    FilterRegistrationBean<RecyclingServletFilter> respreadServletFilter(
        ConnectionRecycler recycler) {
      FilterRegistrationBean<RecyclingServletFilter> registration =
          new FilterRegistrationBean<>(new RecyclingServletFilter(recycler));
      registration.setName(RecyclingServletFilter.NAME);
      registration.addUrlPatterns("/*");
      registration.setDispatcherTypes(DispatcherType.REQUEST);
      registration.setAsyncSupported(true);
      // First, so that every request counts, including those a later filter rejects.
      registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
      return registration;
    }
  }

  /** WebFlux on Reactor Netty. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = Type.REACTIVE)
  @ConditionalOnClass(name = {"org.springframework.boot.reactor.netty.NettyServerCustomizer",
      "reactor.netty.http.server.HttpServer", "io.netty.handler.codec.http2.Http2FrameCodec"})
  static class ReactorNettyConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "respreadNettyServerCustomizer")
    ReactorNettyRecycling respreadNettyServerCustomizer(ConnectionRecycler recycler) {
      return new ReactorNettyRecycling(recycler);
    }
  }

  /** Spring gRPC's servers. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass({ServerBuilderCustomizer.class, GrpcServerLifecycle.class})
  static class GrpcConfiguration {

    /**
     * Makes the shutdown drain depend on each gRPC server, so that Spring stops it before the
     * server in their common phase (see {@link RecyclerShutdownLifecycle}).
     */
    @Bean
    static SmartInitializingSingleton respreadGrpcShutdownOrder(
        ConfigurableListableBeanFactory beanFactory) {
      return () -> {
        for (String server : beanFactory.getBeanNamesForType(GrpcServerLifecycle.class, true,
            false)) {
          beanFactory.registerDependentBean(server, RecyclerShutdownLifecycle.BEAN_NAME);
        }
      };
    }

    /** grpc-netty. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.grpc.netty.NettyServerBuilder")
    static class NettyConfiguration {

      /** Last, so that respread's interceptor is the outermost and counts every call. */
      @Bean
      @Order(Ordered.LOWEST_PRECEDENCE)
      ServerBuilderCustomizer<io.grpc.netty.NettyServerBuilder> respreadGrpcNettyCustomizer(
          ConnectionRecycler recycler) {
        return builder -> dev.respread.grpc.GrpcRecycling.configure(builder, recycler);
      }
    }

    /** grpc-netty-shaded. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder")
    static class ShadedNettyConfiguration {

      /** Last, so that respread's interceptor is the outermost and counts every call. */
      @Bean
      @Order(Ordered.LOWEST_PRECEDENCE)
      ServerBuilderCustomizer<io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder>
          respreadGrpcShadedNettyCustomizer(ConnectionRecycler recycler) {
        return builder -> dev.respread.grpc.shaded.GrpcRecycling.configure(builder, recycler);
      }
    }
  }

  /** Actuator's health endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class HealthConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "respreadHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("respread")
    RespreadHealthIndicator respreadHealthIndicator(ConnectionRecycler recycler) {
      return new RespreadHealthIndicator(recycler);
    }
  }

  /** Actuator's info endpoint. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.info.InfoContributor")
  static class InfoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "respreadInfoContributor")
    RespreadInfoContributor respreadInfoContributor(ConnectionRecycler recycler) {
      return new RespreadInfoContributor(recycler);
    }
  }
}
