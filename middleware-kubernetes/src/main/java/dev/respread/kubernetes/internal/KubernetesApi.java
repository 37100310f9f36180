package dev.respread.kubernetes.internal;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;

/** What the parts that read the Kubernetes API share. */
public final class KubernetesApi {
  private KubernetesApi() {}

  /**
   * A client configured the way fabric8 finds the API server (in-cluster service account,
   * {@code KUBECONFIG}), with {@code timeout} per request and no request retries: the next read
   * is the retry, so a struggling API server gets one request per pod per interval, not one plus
   * fabric8's ten backed-off retries.
   */
  public static KubernetesClient client(Duration timeout) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(Config.autoConfigure(null))
            .withRequestTimeout((int) timeout.toMillis()).withRequestRetryBackoffLimit(0)
            .build())
        .build();
  }

  /** The cause of a failed call, with the HTTP status fabric8 reports. */
  static FailureCause cause(Throwable t) {
    return FailureCause.of(t,
        c -> c instanceof KubernetesClientException ? ((KubernetesClientException) c).getCode()
            : 0);
  }

  /** {@code list}, or an empty list for the {@code null} that fabric8 keeps from the JSON. */
  static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
