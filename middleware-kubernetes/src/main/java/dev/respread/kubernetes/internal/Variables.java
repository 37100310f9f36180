package dev.respread.kubernetes.internal;

import java.util.Set;

/** The environment variables the load views read, in one place for the views and providers. */
public final class Variables {
  public static final String POD_NAME = "POD_NAME";
  public static final String POD_NAMESPACE = "POD_NAMESPACE";
  public static final String SERVICE_NAME = "RESPREAD_SERVICE_NAME";
  public static final String POD_SELECTOR = "RESPREAD_POD_SELECTOR";
  public static final String MEMBERS_SOURCE = "RESPREAD_MEMBERS_SOURCE";
  /**
   * Set by the kubelet in every container: where the in-cluster API server is. Not respread's
   * own; its presence tells {@code RESPREAD_MEMBERS_SOURCE=auto} that the API can be read.
   */
  public static final String KUBERNETES_SERVICE_HOST = "KUBERNETES_SERVICE_HOST";
  public static final String KUBERNETES_METRICS_INTERVAL = "RESPREAD_KUBERNETES_METRICS_INTERVAL";
  public static final String KUBERNETES_TIMEOUT = "RESPREAD_KUBERNETES_TIMEOUT";
  public static final String PROMETHEUS_URL = "RESPREAD_PROMETHEUS_URL";
  public static final String PROMETHEUS_METRIC = "RESPREAD_PROMETHEUS_METRIC";
  public static final String PROMETHEUS_OWN_QUERY = "RESPREAD_PROMETHEUS_OWN_QUERY";
  public static final String PROMETHEUS_MEAN_QUERY = "RESPREAD_PROMETHEUS_MEAN_QUERY";
  public static final String PROMETHEUS_MEMBERS_QUERY = "RESPREAD_PROMETHEUS_MEMBERS_QUERY";
  public static final String PROMETHEUS_WINDOW = "RESPREAD_PROMETHEUS_WINDOW";
  public static final String PROMETHEUS_INTERVAL = "RESPREAD_PROMETHEUS_INTERVAL";
  public static final String PROMETHEUS_TIMEOUT = "RESPREAD_PROMETHEUS_TIMEOUT";
  public static final String PROMETHEUS_TOKEN_FILE = "RESPREAD_PROMETHEUS_BEARER_TOKEN_FILE";

  /** Every variable the Kubernetes view reads. */
  public static final Set<String> KUBERNETES = Set.of(POD_NAME, POD_NAMESPACE, SERVICE_NAME,
      POD_SELECTOR, MEMBERS_SOURCE, KUBERNETES_METRICS_INTERVAL, KUBERNETES_TIMEOUT);
  /** Every variable the Prometheus view reads. */
  public static final Set<String> PROMETHEUS = Set.of(PROMETHEUS_URL, PROMETHEUS_METRIC,
      PROMETHEUS_OWN_QUERY, PROMETHEUS_MEAN_QUERY, PROMETHEUS_MEMBERS_QUERY, PROMETHEUS_WINDOW,
      PROMETHEUS_INTERVAL, PROMETHEUS_TIMEOUT, PROMETHEUS_TOKEN_FILE, POD_NAME, POD_NAMESPACE,
      SERVICE_NAME, MEMBERS_SOURCE, POD_SELECTOR, KUBERNETES_TIMEOUT);

  private Variables() {}
}
