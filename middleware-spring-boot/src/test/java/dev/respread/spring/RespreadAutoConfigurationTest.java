package dev.respread.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.ConnectionRecycler;
import dev.respread.InvalidConfigurationException;
import dev.respread.RecyclingConfig;
import dev.respread.servlet.RecyclingServletFilter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The auto-configuration's conditions, back-off, binding and error message. */
class RespreadAutoConfigurationTest {
  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(RespreadAutoConfiguration.class))
      .withBean(SimpleMeterRegistry.class)
      .withInitializer(c -> environment(c, Map.of()))
      // Every context closes without waiting for kube-proxy.
      .withPropertyValues("respread.shutdown-delay=0s");

  /** Replaces the machine's environment variables with {@code variables}. */
  private static void environment(ConfigurableApplicationContext context,
      Map<String, Object> variables) {
    String name = StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME;
    context.getEnvironment().getPropertySources()
        .replace(name, new SystemEnvironmentPropertySource(name, new HashMap<>(variables)));
  }

  private static ApplicationContextRunner withVariables(ApplicationContextRunner runner,
      Map<String, Object> variables) {
    return runner.withInitializer(c -> environment(c, variables));
  }

  private static InvalidConfigurationException failure(
      org.springframework.boot.test.context.assertj.AssertableApplicationContext context) {
    Throwable t = context.getStartupFailure();
    while (t != null && !(t instanceof InvalidConfigurationException)) {
      t = t.getCause();
    }
    assertThat(t).as("startup failure").isNotNull();
    return (InvalidConfigurationException) t;
  }

  @Test
  void recyclerIsBuiltFromRespreadProperties() {
    runner.withPropertyValues("respread.max-connection-age=2m",
        "respread.max-requests-per-connection=100", "respread.jitter=0.3").run(context -> {
          RecyclingConfig config = context.getBean(ConnectionRecycler.class).config();
          assertThat(config.maxConnectionAge()).isEqualTo(Duration.ofMinutes(2));
          assertThat(config.maxRequestsPerConnection()).isEqualTo(100);
          assertThat(config.jitter()).isEqualTo(0.3);
        });
  }

  @Test
  void camelCasePropertiesBindToo() {
    runner.withPropertyValues("respread.maxConnectionAge=7m").run(context ->
        assertThat(context.getBean(ConnectionRecycler.class).config().maxConnectionAge())
            .isEqualTo(Duration.ofMinutes(7)));
  }

  @Test
  void respreadEnvironmentVariablesStillWork() {
    withVariables(runner, Map.of("RESPREAD_MAX_CONNECTION_AGE", "3m",
        "RESPREAD_MAX_REQUESTS_PER_CONNECTION", "50")).run(context -> {
          RecyclingConfig config = context.getBean(ConnectionRecycler.class).config();
          assertThat(config.maxConnectionAge()).isEqualTo(Duration.ofMinutes(3));
          assertThat(config.maxRequestsPerConnection()).isEqualTo(50);
        });
  }

  @Test
  void invalidSettingsFailStartUpWithOneMessageNamingEach() {
    runner.withPropertyValues("respread.max-connection-age=5", "respread.jitter=1.5")
        .run(context -> {
          InvalidConfigurationException e = failure(context);
          assertThat(e.problems()).containsExactly(
              "respread.max-connection-age: \"5\" (expected: a duration such as 500ms, 90s, 5m,"
                  + " 1h or PT5M, >= 100ms and <= 8760h)",
              "respread.jitter: \"1.5\" (expected: 0.0 to 1.0)");
          assertThat(e.getMessage()).startsWith("Invalid respread configuration (2 problems):");
        });
  }

  @Test
  void invalidEnvironmentVariableIsNamedAsItsProperty() {
    withVariables(runner, Map.of("RESPREAD_ENABLED", "maybe")).run(context ->
        assertThat(failure(context).problems())
            .containsExactly("respread.enabled: \"maybe\" (expected: true or false)"));
  }

  @Test
  void unknownPropertyIsAnErrorWithASuggestion() {
    runner.withPropertyValues("respread.max-conection-age=5m").run(context ->
        assertThat(failure(context).problems()).containsExactly(
            "respread.max-conection-age: \"5m\" (expected: a known respread property; "
                + "did you mean respread.max-connection-age?)"));
  }

  @Test
  void unknownEnvironmentVariableIsAnErrorAsEverywhere() {
    withVariables(runner, Map.of("RESPREAD_JITER", "0.1")).run(context ->
        assertThat(failure(context).problems()).containsExactly(
            "RESPREAD_JITER: \"0.1\" (expected: a known RESPREAD_ variable; "
                + "did you mean RESPREAD_JITTER?)"));
  }

  @Test
  void loadSourceWithoutItsViewOnTheClassPathNamesTheProperty() {
    runner.withPropertyValues("respread.load-source=kubernetes").run(context ->
        assertThat(failure(context).problems()).containsExactly(
            "respread.load-source: \"kubernetes\" (expected: respread-kubernetes on the class "
                + "path, which provides it)"));
  }

  @Test
  void failureAnalysisShowsTheMessageAlone() {
    InvalidConfigurationException e = new InvalidConfigurationException(
        java.util.List.of("respread.jitter: \"2\" (expected: 0.0 to 1.0)"));
    FailureAnalysis analysis = new InvalidConfigurationFailureAnalyzer().analyze(
        new IllegalStateException("bean creation failed", e));
    assertThat(analysis.getDescription()).isEqualTo(e.getMessage());
    assertThat(analysis.getAction()).contains("respread.*");
  }

  @Test
  void enabledFalseKeepsTheRecyclerCountingButNeverDraining() {
    runner.withPropertyValues("respread.enabled=false").run(context -> {
      assertThat(context).hasSingleBean(ConnectionRecycler.class);
      assertThat(context.getBean(ConnectionRecycler.class).config().enabled()).isFalse();
    });
  }

  @Test
  void respreadEnabledVariableSwitchesItOffToo() {
    withVariables(runner, Map.of("RESPREAD_ENABLED", "false")).run(context ->
        assertThat(context.getBean(ConnectionRecycler.class).config().enabled()).isFalse());
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnRecycler() {
    ConnectionRecycler own = ConnectionRecycler.builder(
            RecyclingConfig.builder().shutdownDelay(Duration.ZERO).build())
        .meterRegistry(new SimpleMeterRegistry()).name("own").build();
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RespreadAutoConfiguration.class))
        .withBean(ConnectionRecycler.class, () -> own)
        .withPropertyValues("respread.jitter=not a number")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).getBean(ConnectionRecycler.class).isSameAs(own);
          assertThat(context).hasSingleBean(RecyclerShutdownLifecycle.class);
          assertThat(context).hasBean("respreadServletFilter");
        });
  }

  @Test
  void metersGoToTheApplicationsRegistryAndLeaveWithTheContext() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RespreadAutoConfiguration.class))
        .withBean(MeterRegistry.class, () -> registry)
        .withPropertyValues("respread.shutdown-delay=0s")
        .run(context -> assertThat(registry.find("respread.connections.open").gauge())
            .isNotNull());
    // Closing the context closed the recycler, which removes its meters and closes its view.
    assertThat(registry.find("respread.connections.open").gauge()).isNull();
  }

  @Test
  void servletApplicationGetsTheFilterFirstInTheChain() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RespreadAutoConfiguration.class))
        .withPropertyValues("respread.shutdown-delay=0s")
        .run(context -> {
          FilterRegistrationBean<?> registration =
              context.getBean("respreadServletFilter", FilterRegistrationBean.class);
          assertThat(registration.getFilter()).isInstanceOf(RecyclingServletFilter.class);
          assertThat(registration.getOrder()).isEqualTo(Integer.MIN_VALUE);
          assertThat(context).doesNotHaveBean(NettyServerCustomizer.class);
        });
  }

  @Test
  void reactiveApplicationGetsTheNettyCustomizer() {
    new ReactiveWebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(RespreadAutoConfiguration.class))
        .withPropertyValues("respread.shutdown-delay=0s")
        .run(context -> {
          assertThat(context).hasSingleBean(NettyServerCustomizer.class);
          assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
        });
  }

  @Test
  void applicationWithoutAWebServerGetsNeither() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(ConnectionRecycler.class);
      assertThat(context).doesNotHaveBean(NettyServerCustomizer.class);
      assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
    });
  }

  @Test
  void grpcServersOfBothFlavoursGetACustomizer() {
    runner.run(context -> assertThat(context.getBeanNamesForType(
        org.springframework.grpc.server.ServerBuilderCustomizer.class)).containsExactlyInAnyOrder(
            "respreadGrpcNettyCustomizer", "respreadGrpcShadedNettyCustomizer"));
  }

  @Test
  void grpcWiringBacksOffWithoutSpringGrpc() {
    runner.withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader(
        "org.springframework.grpc.")).run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean("respreadGrpcNettyCustomizer");
        });
  }

  @Test
  void healthShowsTheConnectionsAndThatThereIsNoView() {
    runner.run(context -> {
      Health health = context.getBean(RespreadHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("view", "none")
          .containsEntry("openConnections", 0).containsEntry("enabled", true);
    });
  }

  @Test
  void healthIndicatorCanBeSwitchedOffAsAnyOther() {
    runner.withPropertyValues("management.health.respread.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(RespreadHealthIndicator.class));
  }

  @Test
  void infoShowsTheMainSettings() {
    runner.withPropertyValues("respread.max-connection-age=5m").run(context -> {
      Info.Builder builder = new Info.Builder();
      context.getBean(RespreadInfoContributor.class).contribute(builder);
      @SuppressWarnings("unchecked")
      Map<String, Object> respread = (Map<String, Object>) builder.build().get("respread");
      assertThat(respread).containsEntry("maxConnectionAge", "PT5M")
          .containsEntry("view", "none");
    });
  }

  @Test
  void metadataDescribesEverySettingAndNothingElse() throws Exception {
    JsonNode metadata;
    try (InputStream in = getClass().getResourceAsStream(
        "/META-INF/spring-configuration-metadata.json")) {
      metadata = new ObjectMapper().readTree(in);
    }
    Set<String> described = new TreeSet<>();
    metadata.get("properties").forEach(p -> described.add(p.get("name").asString()));
    Set<String> expected = new TreeSet<>();
    for (String v : RespreadSettings.knownVariables()) {
      if (v.startsWith("RESPREAD_")) {
        expected.add(RespreadSettings.propertyName(v));
      }
    }
    // The load views' settings, which respread-kubernetes brings.
    expected.addAll(Set.of("respread.service-name", "respread.pod-selector",
        "respread.members-source", "respread.kubernetes-metrics-interval",
        "respread.kubernetes-timeout", "respread.prometheus-url", "respread.prometheus-metric",
        "respread.prometheus-own-query", "respread.prometheus-mean-query",
        "respread.prometheus-members-query", "respread.prometheus-window",
        "respread.prometheus-interval", "respread.prometheus-timeout",
        "respread.prometheus-bearer-token-file"));
    assertThat(described).isEqualTo(expected);
  }
}
