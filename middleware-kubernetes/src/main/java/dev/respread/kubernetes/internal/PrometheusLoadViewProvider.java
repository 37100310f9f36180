package dev.respread.kubernetes.internal;

import dev.respread.LoadSource;
import dev.respread.LoadView;
import dev.respread.RecyclingConfig;
import dev.respread.Ticker;
import dev.respread.kubernetes.PrometheusLoadView;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;

/**
 * Creates a {@link PrometheusLoadView} for {@code RESPREAD_LOAD_SOURCE=prometheus}, configured
 * from the {@code RESPREAD_PROMETHEUS_*} variables, {@code POD_NAME}, {@code POD_NAMESPACE},
 * {@code RESPREAD_SERVICE_NAME}, and for its members {@code RESPREAD_MEMBERS_SOURCE},
 * {@code RESPREAD_POD_SELECTOR} and {@code RESPREAD_KUBERNETES_TIMEOUT}; in a cluster
 * ({@code KUBERNETES_SERVICE_HOST} set) the members come from the API by default. The view's
 * meters go to the recycler's registry. Found through {@link java.util.ServiceLoader}; users do
 * not call it.
 */
public final class PrometheusLoadViewProvider extends ViewProvider {

  public PrometheusLoadViewProvider() {
    super(LoadSource.PROMETHEUS, Variables.PROMETHEUS);
  }

  @Override
  public LoadView create(RecyclingConfig config, Map<String, String> environment, Ticker ticker,
      MeterRegistry registry, String recyclerName) {
    return PrometheusLoadView.builder().environment(environment).ticker(ticker)
        .meterRegistry(registry).name(recyclerName).build();
  }
}
