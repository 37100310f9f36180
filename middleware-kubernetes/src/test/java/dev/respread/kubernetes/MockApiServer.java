package dev.respread.kubernetes;

import dev.respread.kubernetes.internal.InformerMembers;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * fabric8's mock API server in CRUD mode, as {@code @EnableKubernetesMockClient(crud = true)}
 * builds it (expectations first, then the store), with a client of it. One per test.
 *
 * <p>When a watch closes, the mock server (7.9.0) waits up to a minute for that watch's event
 * executor to end ({@code WatchEventsListener.onClosed}); on a loaded machine a server shared by
 * a class stopped answering for 10 to 30 seconds after one test's informer stopped, and the next
 * test's requests timed out. A server per test, shut down off the test thread, keeps one test's
 * watches from stalling another's requests.
 */
final class MockApiServer implements AutoCloseable {
  final KubernetesMockServer server;
  final KubernetesClient client;

  MockApiServer() {
    Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
    server = new KubernetesMockServer(new Context(Serialization.jsonMapper()),
        new MockWebServer(), expectations, new KubernetesMixedDispatcher(expectations), false);
    server.init();
    client = server.createClient();
  }

  /** Creates or replaces slice {@code name} of {@code service} in {@code namespace}. */
  void slice(String namespace, String service, String name, Endpoint... endpoints) {
    EndpointSlice slice = new EndpointSliceBuilder().withNewMetadata().withName(name)
        .withNamespace(namespace).addToLabels(InformerMembers.SERVICE_NAME_LABEL, service)
        .endMetadata().withAddressType("IPv4").withEndpoints(endpoints).build();
    client.discovery().v1().endpointSlices().inNamespace(namespace).resource(slice).createOr(
        op -> op.update());
  }

  /** Creates a running pod whose Ready condition is {@code ready}. */
  void pod(String namespace, String name, boolean ready, Map<String, String> labels) {
    Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(namespace)
        .withLabels(labels).endMetadata().withNewStatus().withPhase("Running")
        .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
        .endStatus().build();
    client.pods().inNamespace(namespace).resource(pod).create();
  }

  /** The path of an informer's first list of {@code service}'s slices. */
  static String slicesPath(String namespace, String service) {
    return "/apis/discovery.k8s.io/v1/namespaces/" + namespace
        + "/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D" + service
        + "&resourceVersion=0";
  }

  /**
   * A new client of this server with the given request timeout, quick watch retries and no
   * request retries (fabric8 retries 5xx answers by default, which would hide them).
   */
  KubernetesClient client(int requestTimeoutMillis) {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(client.getConfiguration())
        .withRequestTimeout(requestTimeoutMillis).withWatchReconnectInterval(100)
        .withWatchReconnectLimit(-1).withRequestRetryBackoffLimit(0).build()).build();
  }

  /** A Status body as the API server sends with an error. */
  static Status status(int code, String message) {
    return new StatusBuilder().withCode(code).withMessage(message).withStatus("Failure").build();
  }

  /** A ready, serving, non-terminating endpoint of {@code pod}. */
  static Endpoint ready(String pod) {
    return endpoint(pod, true, true, false);
  }

  static Endpoint endpoint(String pod, boolean ready, boolean serving, boolean terminating) {
    return new EndpointBuilder().addToAddresses("10.0.0." + Math.abs(pod.hashCode() % 250))
        .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating)
        .endConditions().withNewTargetRef().withKind("Pod").withName(pod).endTargetRef().build();
  }

  /**
   * Makes fabric8's auto-configuration, which a view uses to create its own client as it would
   * in a pod, find this server; until closed.
   */
  AutoConfigured autoConfigured() {
    return new AutoConfigured(Map.of("kubernetes.master", client.getMasterUrl().toString(),
        "kubernetes.auth.tryKubeConfig", "false", "kubernetes.auth.tryServiceAccount", "false"));
  }

  /** System properties set for fabric8's auto-configuration, cleared on close. */
  static final class AutoConfigured implements AutoCloseable {
    private final Map<String, String> properties;

    private AutoConfigured(Map<String, String> properties) {
      this.properties = properties;
      properties.forEach(System::setProperty);
    }

    @Override
    public void close() {
      properties.keySet().forEach(System::clearProperty);
    }
  }

  /** Closes the client, and stops the server in the background. */
  @Override
  public void close() {
    client.close();
    Thread stop = new Thread(() -> {
      try {
        server.destroy();
      } catch (IllegalStateException e) {
        // The mock server's shutdown timed out on a watch it still held; it is not reused.
      }
    }, "mock-api-server-shutdown");
    stop.setDaemon(true);
    stop.start();
  }
}
