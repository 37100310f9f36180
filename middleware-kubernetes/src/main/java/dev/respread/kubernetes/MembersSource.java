package dev.respread.kubernetes;

/**
 * Where a load view reads the Service's members from ({@code RESPREAD_MEMBERS_SOURCE}). The
 * members are the pods the Service sends connections to: their count tells the load controller
 * of a scale-out, and the mean load is taken over those of them that report a load.
 */
public enum MembersSource {
  /**
   * {@link #KUBERNETES} where the API can be read and says which pods to watch: a client was
   * given in code or {@code KUBERNETES_SERVICE_HOST} is set (as in every pod), and a Service name
   * or a pod selector is set, and no custom Prometheus members query is. Else
   * {@link #PROMETHEUS}. The default.
   */
  AUTO,
  /**
   * From the Kubernetes API, watched: the ready, non-terminating endpoints of the Service's
   * EndpointSlices, or, with only a pod selector, the ready Pods it selects. A scale-out shows
   * within about a second, and a pod that is not ready or is terminating is no member. Needs
   * {@code list} and {@code watch} on {@code endpointslices} (or {@code pods}).
   */
  KUBERNETES,
  /**
   * From Prometheus: the pods whose scrape targets of the Service are up
   * ({@code up{namespace, service} == 1}), read with the load in the same query. A new pod counts
   * from its first scrape, before its first request. Prometheus does not know readiness, so a pod
   * that is not ready or is terminating but still scraped counts too.
   */
  PROMETHEUS
}
