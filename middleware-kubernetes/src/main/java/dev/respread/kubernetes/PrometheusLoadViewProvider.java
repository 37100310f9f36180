package dev.respread.kubernetes;

import dev.respread.LoadSource;
import dev.respread.LoadView;
import dev.respread.LoadViewProvider;
import dev.respread.RecyclingConfig;
import dev.respread.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.Map;
import java.util.Set;

/**
 * Creates a {@link PrometheusLoadView} for {@code RESPREAD_LOAD_SOURCE=prometheus}, configured
 * from the {@code RESPREAD_PROMETHEUS_*} variables, {@code POD_NAME}, {@code POD_NAMESPACE} and
 * {@code RESPREAD_SERVICE_NAME}. The view's meters go to the recycler's registry. Found
 * through {@link java.util.ServiceLoader}; users do not call it.
 */
public final class PrometheusLoadViewProvider implements LoadViewProvider {

  @Override
  public LoadSource source() {
    return LoadSource.PROMETHEUS;
  }

  @Override
  public Set<String> variables() {
    return PrometheusLoadView.VARIABLES;
  }

  @Override
  public LoadView create(RecyclingConfig config, Map<String, String> environment, Ticker ticker) {
    return create(config, environment, ticker, Metrics.globalRegistry);
  }

  @Override
  public LoadView create(RecyclingConfig config, Map<String, String> environment, Ticker ticker,
      MeterRegistry registry) {
    return PrometheusLoadView.builder().environment(environment).ticker(ticker).meterRegistry(registry)
        .build();
  }
}
