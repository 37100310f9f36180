package dev.respread.kubernetes.internal;

import dev.respread.LoadSource;
import dev.respread.LoadView;
import dev.respread.RecyclingConfig;
import dev.respread.Ticker;
import dev.respread.kubernetes.KubernetesLoadView;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;

/**
 * Creates a {@link KubernetesLoadView} for {@code RESPREAD_LOAD_SOURCE=kubernetes}, configured
 * from {@code POD_NAME}, {@code POD_NAMESPACE}, {@code RESPREAD_SERVICE_NAME} or
 * {@code RESPREAD_POD_SELECTOR}, {@code RESPREAD_KUBERNETES_METRICS_INTERVAL} and
 * {@code RESPREAD_KUBERNETES_TIMEOUT}. The client finds the API server the way fabric8 does (the
 * pod's service account in a cluster). The view's meters go to the recycler's registry.
 * Found through {@link java.util.ServiceLoader}; users do not call it.
 */
public final class KubernetesLoadViewProvider extends ViewProvider {

  public KubernetesLoadViewProvider() {
    super(LoadSource.KUBERNETES, Variables.KUBERNETES);
  }

  @Override
  public LoadView create(RecyclingConfig config, Map<String, String> environment, Ticker ticker,
      MeterRegistry registry, String recyclerName) {
    return KubernetesLoadView.builder().environment(environment).ticker(ticker)
        .meterRegistry(registry).name(recyclerName).build();
  }
}
