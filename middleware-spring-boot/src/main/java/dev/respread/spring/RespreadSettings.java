package dev.respread.spring;

import dev.respread.ConnectionRecycler;
import dev.respread.InvalidConfigurationException;
import dev.respread.LoadViewProvider;
import dev.respread.RecyclingConfig;
import dev.respread.internal.ConfigProblems;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Reads respread's settings from Spring's {@link Environment} and hands them to the core's own
 * parser, {@link RecyclingConfig#fromEnvironment(Map)}, as the {@code RESPREAD_*} variables they
 * stand for: {@code respread.max-connection-age} is {@code RESPREAD_MAX_CONNECTION_AGE}. Spring's
 * relaxed binding finds each setting in {@code application.yaml}, system properties or the
 * environment ({@code RESPREAD_MAX_CONNECTION_AGE} and {@code RESPREAD_MAXCONNECTIONAGE} alike),
 * with Spring's precedence. Problems come back in one {@link InvalidConfigurationException}, each
 * named as the property.
 */
final class RespreadSettings {
  static final String PREFIX = "respread";
  private static final String VARIABLE_PREFIX = "RESPREAD_";

  private RespreadSettings() {}

  /** {@code RESPREAD_MAX_CONNECTION_AGE} becomes {@code respread.max-connection-age}. */
  static String propertyName(String variable) {
    return PREFIX + '.'
        + variable.substring(VARIABLE_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The variables respread reads: the core's and those of every load view on the class path
   * (respread-kubernetes reads {@code POD_NAME} and its own {@code RESPREAD_*}).
   */
  static Set<String> knownVariables() {
    Set<String> known = new TreeSet<>(RecyclingConfig.VARIABLES);
    ServiceLoader.load(LoadViewProvider.class, RespreadSettings.class.getClassLoader())
        .forEach(p -> p.variables().forEach(v -> known.add(v.toUpperCase(Locale.ROOT))));
    return known;
  }

  /**
   * The recycler the settings describe, reporting to {@code registry}.
   *
   * @throws InvalidConfigurationException naming every bad setting as its property
   */
  static ConnectionRecycler recycler(Environment environment, MeterRegistry registry) {
    Set<String> known = knownVariables();
    Map<String, String> variables = variables(environment, known);
    List<String> unknown = unknownProperties(environment, known);
    try {
      RecyclingConfig config = RecyclingConfig.fromEnvironment(variables);
      if (!unknown.isEmpty()) {
        throw new InvalidConfigurationException(unknown);
      }
      return ConnectionRecycler.builder(config).environment(variables).meterRegistry(registry)
          .build();
    } catch (InvalidConfigurationException e) {
      List<String> problems = new ArrayList<>();
      for (String p : e.problems()) {
        problems.add(unknown.contains(p) ? p : named(p, known));
      }
      for (String p : unknown) {
        if (!problems.contains(p)) {
          problems.add(p);
        }
      }
      throw new InvalidConfigurationException(problems);
    }
  }

  /**
   * What the view providers may read that is not respread's (for example
   * {@code KUBERNETES_SERVICE_HOST}) and unknown {@code RESPREAD_*} variables, which the core
   * reports with a suggestion, from Spring's system environment; then every known variable as
   * Spring resolves its property.
   */
  static Map<String, String> variables(Environment environment, Set<String> known) {
    Map<String, String> variables = new HashMap<>();
    if (environment instanceof ConfigurableEnvironment) {
      PropertySource<?> system = ((ConfigurableEnvironment) environment).getPropertySources()
          .get(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
      if (system instanceof EnumerablePropertySource) {
        EnumerablePropertySource<?> e = (EnumerablePropertySource<?>) system;
        for (String name : e.getPropertyNames()) {
          Object value = e.getProperty(name);
          if (value != null && !known.contains(name)) {
            variables.put(name, value.toString());
          }
        }
      }
    }
    Binder binder = Binder.get(environment);
    for (String variable : known) {
      String value = variable.startsWith(VARIABLE_PREFIX)
          ? binder.bind(propertyName(variable), String.class).orElse(null)
          : environment.getProperty(variable);
      if (value != null) {
        variables.put(variable, value);
      }
    }
    return variables;
  }

  /**
   * Problems for {@code respread.*} properties that name no setting, from every source but the
   * system environment, whose unknown {@code RESPREAD_*} variables the core reports itself.
   */
  private static List<String> unknownProperties(Environment environment, Set<String> known) {
    if (!(environment instanceof ConfigurableEnvironment)) {
      return List.of();
    }
    List<ConfigurationPropertyName> names = new ArrayList<>();
    Set<String> knownNames = new TreeSet<>();
    for (String variable : known) {
      if (variable.startsWith(VARIABLE_PREFIX)) {
        names.add(ConfigurationPropertyName.of(propertyName(variable)));
        knownNames.add(propertyName(variable));
      }
    }
    ConfigurationPropertyName prefix = ConfigurationPropertyName.of(PREFIX);
    Map<String, String> unknown = new HashMap<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource
          || !(source instanceof IterableConfigurationPropertySource)) {
        continue;
      }
      for (ConfigurationPropertyName name : (IterableConfigurationPropertySource) source) {
        if (prefix.isAncestorOf(name) && !names.contains(name)) {
          unknown.putIfAbsent(name.toString(),
              String.valueOf(source.getConfigurationProperty(name).getValue()));
        }
      }
    }
    // The core's own check, so that the message and the suggestion read as for a variable.
    ConfigProblems problems = new ConfigProblems(unknown);
    problems.unknownNames(PREFIX + '.', knownNames, "a known respread property");
    try {
      problems.throwIfAny();
      return List.of();
    } catch (InvalidConfigurationException e) {
      return e.problems();
    }
  }

  /**
   * The core names a bad value by its variable, {@code RESPREAD_JITTER: "1.5" (expected: ...)};
   * here it was a property, which may have come from {@code application.yaml}.
   */
  private static String named(String problem, Set<String> known) {
    int colon = problem.indexOf(": ");
    if (colon > 0) {
      String variable = problem.substring(0, colon);
      if (variable.startsWith(VARIABLE_PREFIX) && known.contains(variable)) {
        return propertyName(variable) + problem.substring(colon);
      }
    }
    return problem;
  }
}
