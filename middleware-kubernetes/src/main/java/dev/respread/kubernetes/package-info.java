/**
 * Load views for the respread load controller: {@link dev.respread.kubernetes.KubernetesLoadView}
 * (EndpointSlices and {@code metrics.k8s.io}) and {@link dev.respread.kubernetes.PrometheusLoadView}
 * (PromQL). Both are also found through {@link java.util.ServiceLoader} when
 * {@code RESPREAD_LOAD_SOURCE} is {@code kubernetes} or {@code prometheus}.
 *
 * <p>Everything in this package is non-null unless a method says otherwise.
 */
package dev.respread.kubernetes;
