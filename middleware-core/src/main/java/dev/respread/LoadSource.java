package dev.respread;

import java.util.Locale;

/** Where the load controller reads the Service's load from ({@code RESPREAD_LOAD_SOURCE}). */
public enum LoadSource {
  /** No load view: only the age and request rules apply. */
  NONE,
  /** EndpointSlices and metrics.k8s.io, from respread-kubernetes. */
  KUBERNETES,
  /** PromQL over the Prometheus HTTP API, from respread-kubernetes. */
  PROMETHEUS;

  /** The lower-case name used in {@code RESPREAD_LOAD_SOURCE}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
