package dev.respread.kubernetes.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.LoadSource;
import dev.respread.LoadView;
import dev.respread.LoadViewProvider;
import dev.respread.RecyclingConfig;
import dev.respread.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.Map;
import java.util.Set;

/** What both providers share: a source, its variables, and a view built from the environment. */
abstract class ViewProvider implements LoadViewProvider {
  private final LoadSource source;
  private final Set<String> variables;

  ViewProvider(LoadSource source, Set<String> variables) {
    this.source = requireNonNull(source, "source");
    this.variables = requireNonNull(variables, "variables");
  }

  @Override
  public final LoadSource source() {
    return source;
  }

  @Override
  public final Set<String> variables() {
    return variables;
  }

  /** Reports to Micrometer's global registry, as {@code ConnectionRecycler.fromEnvironment()}. */
  @Override
  public final LoadView create(RecyclingConfig config, Map<String, String> environment,
      Ticker ticker) {
    return create(config, environment, ticker, Metrics.globalRegistry);
  }

  /** Names the view {@code default}, as a recycler built without a name. */
  @Override
  public final LoadView create(RecyclingConfig config, Map<String, String> environment,
      Ticker ticker, MeterRegistry registry) {
    return create(config, environment, ticker, registry, "default");
  }

  /** The view, named after the recycler it serves. */
  @Override
  public abstract LoadView create(RecyclingConfig config, Map<String, String> environment,
      Ticker ticker, MeterRegistry registry, String recyclerName);
}
