package dev.respread;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;

/**
 * Creates a {@link LoadView} for a {@link LoadSource}, found through {@link java.util.ServiceLoader}
 * so that the core needs no dependency on Kubernetes or Prometheus clients.
 */
public interface LoadViewProvider {

  /** The source this provider serves. */
  LoadSource source();

  /** The environment variables the provider reads, so that the core does not report them as unknown. */
  Set<String> variables();

  /**
   * Creates and starts a view. Must not block on the network: the first read happens on the
   * view's own thread.
   *
   * @throws InvalidConfigurationException naming every bad variable
   */
  LoadView create(RecyclingConfig config, Map<String, String> environment, Ticker ticker);

  /**
   * Creates and starts a view that reports its own health to {@code registry}, the recycler's.
   * The default ignores the registry.
   *
   * @throws InvalidConfigurationException naming every bad variable
   */
  default LoadView create(RecyclingConfig config, Map<String, String> environment, Ticker ticker,
      MeterRegistry registry) {
    return create(config, environment, ticker);
  }

  /**
   * Creates and starts a view for the recycler named {@code recyclerName} (its {@code server}
   * tag), which the view may use to tag its own meters, so that each server's view is told
   * apart by the same name. The default ignores the name.
   *
   * @throws InvalidConfigurationException naming every bad variable
   */
  default LoadView create(RecyclingConfig config, Map<String, String> environment, Ticker ticker,
      MeterRegistry registry, String recyclerName) {
    return create(config, environment, ticker, registry);
  }
}
