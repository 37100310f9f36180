/**
 * Load views for the respread load controller, each composed of a membership source and a load
 * source: {@link dev.respread.kubernetes.KubernetesLoadView} (members from EndpointSlices or Pods,
 * CPU from {@code metrics.k8s.io}) and {@link dev.respread.kubernetes.PrometheusLoadView} (load
 * from PromQL, members from the Kubernetes API or from the scrape targets that are up; see
 * {@link dev.respread.kubernetes.MembersSource}). Both are also found through
 * {@link java.util.ServiceLoader} when {@code RESPREAD_LOAD_SOURCE} is {@code kubernetes} or
 * {@code prometheus}.
 *
 * <p>Everything in this package is non-null unless a method says otherwise.
 */
package dev.respread.kubernetes;
