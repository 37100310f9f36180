package dev.respread.kubernetes.internal;

import static dev.respread.kubernetes.internal.KubernetesApi.orEmpty;
import static java.util.Objects.requireNonNull;

import dev.respread.Ticker;
import dev.respread.kubernetes.internal.ServiceLoad.Members;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Members from the Kubernetes API, watched: the ready, non-terminating endpoints of a Service's
 * EndpointSlices, or, without a Service, the ready Pods that carry a set of labels. One list, then
 * a watch, so a scale-out shows within about a second.
 *
 * <p>A second thread stamps a watched membership as current every second, so that it stays fresh
 * while nothing changes (and while a slow load read holds the load part's thread).
 */
public final class InformerMembers<T extends HasMetadata> implements ViewPart {
  /** The label the EndpointSlice controller puts on every slice of a Service. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  /** The channel this part reports on. */
  public static final String CHANNEL = "members";
  private static final Duration HEARTBEAT = Duration.ofSeconds(1);

  private final Supplier<SharedIndexInformer<T>> informers;
  private final Function<List<T>, Set<String>> readyOf;
  private final String forbiddenHint;
  private final Ticker ticker;
  private final Refresher heartbeats;
  private SharedIndexInformer<T> informer;
  private Sink sink;
  private ViewHealth health;

  // Guarded by this.
  private Set<String> ready = Set.of();
  private long seenAt = Long.MIN_VALUE;
  /** The informer's store held something this part could not read. */
  private boolean malformed;

  private InformerMembers(Supplier<SharedIndexInformer<T>> informers,
      Function<List<T>, Set<String>> readyOf, String forbiddenHint, Ticker ticker) {
    this.informers = informers;
    this.readyOf = readyOf;
    this.forbiddenHint = forbiddenHint;
    this.ticker = requireNonNull(ticker, "ticker");
    this.heartbeats = new Refresher("kubernetes-members");
  }

  /**
   * The ready endpoints of {@code serviceName}'s EndpointSlices, or, if it is {@code null}, the
   * ready Pods matching {@code podSelector}.
   *
   * @param elsewhere what else the user could do if RBAC forbids the read, or an empty string
   */
  public static InformerMembers<?> of(KubernetesClient client, String namespace,
      String serviceName, Map<String, String> podSelector, Ticker ticker, String elsewhere) {
    if (serviceName != null) {
      return new InformerMembers<>(() -> client.discovery().v1().endpointSlices()
          .inNamespace(namespace).withLabel(SERVICE_NAME_LABEL, serviceName).runnableInformer(0),
          InformerMembers::readyInSlices,
          "allow list and watch on endpointslices (discovery.k8s.io)" + elsewhere, ticker);
    }
    return new InformerMembers<>(() -> client.pods().inNamespace(namespace)
        .withLabels(podSelector).runnableInformer(0), InformerMembers::readyPods,
        "allow list and watch on pods" + elsewhere, ticker);
  }

  @Override
  public List<String> channels() {
    return List.of(CHANNEL);
  }

  @Override
  public void start(Sink sink, ViewHealth health) {
    this.sink = sink;
    this.health = health;
    SharedIndexInformer<T> inf = informers.get();
    // Without this handler an informer whose first list fails (403, API down) stops for good;
    // with it, the informer retries with its own backoff and the view reports the failure.
    inf.exceptionHandler((started, t) -> {
      FailureCause cause = KubernetesApi.cause(t);
      health.failed(CHANNEL, cause, t.getMessage() + (cause == FailureCause.FORBIDDEN
          || cause == FailureCause.UNAUTHORIZED ? "; " + forbiddenHint : ""));
      return true;
    });
    inf.addEventHandler(new ResourceEventHandler<T>() {
      @Override
      public void onAdd(T obj) {
        changed(inf);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        changed(inf);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        changed(inf);
      }
    });
    this.informer = inf;
    inf.start();
    heartbeats.every(HEARTBEAT, this::heartbeat);
  }

  private void changed(SharedIndexInformer<T> inf) {
    Set<String> read;
    try {
      read = readyOf.apply(inf.getStore().list());
    } catch (RuntimeException e) {
      // Thrown here, it would end up in the informer's log and leave the heartbeat stamping a
      // membership that no longer follows the store as fresh. Keep the last membership and let
      // it age instead, until an update this part can read arrives.
      synchronized (this) {
        malformed = true;
        health.failed(CHANNEL, FailureCause.MALFORMED, String.valueOf(e));
      }
      return;
    }
    synchronized (this) {
      malformed = false;
      ready = read;
      if (inf.hasSynced()) {
        seenAt = ticker.nanoTime();
      }
      sink.members(Members.named(ready, seenAt));
    }
  }

  /**
   * Stamps the membership as current while the informer is synced and watching: the watch would
   * have told of any change. Not while the last update could not be read, so that membership
   * ages out instead.
   */
  public synchronized void heartbeat() {
    if (informer.hasSynced() && informer.isWatching() && !malformed) {
      seenAt = ticker.nanoTime();
      health.ok(CHANNEL);
    }
    sink.members(Members.named(ready, seenAt));
  }

  /**
   * The pods an EndpointSlice controller marks ready and not terminating. Per the
   * discovery.k8s.io/v1 EndpointConditions API, a missing {@code ready} means ready and a missing
   * {@code terminating} means not terminating. A pod listed in several slices (IPv4 and IPv6)
   * counts once.
   */
  public static Set<String> readyInSlices(List<EndpointSlice> slices) {
    Set<String> names = new HashSet<>();
    for (EndpointSlice slice : slices) {
      // API servers send "endpoints": null for a slice of a Service without endpoints, against
      // their own OpenAPI schema (kubernetes/kubernetes#135968, defaulted to [] by #136109),
      // and fabric8 keeps the null.
      for (Endpoint e : orEmpty(slice.getEndpoints())) {
        EndpointConditions c = e.getConditions();
        boolean ready = c == null || !Boolean.FALSE.equals(c.getReady());
        boolean terminating = c != null && Boolean.TRUE.equals(c.getTerminating());
        String name = e.getTargetRef() != null && e.getTargetRef().getName() != null
            ? e.getTargetRef().getName()
            : orEmpty(e.getAddresses()).isEmpty() ? null
            : "address:" + String.join(",", e.getAddresses());
        // An endpoint with neither a pod nor an address receives no traffic: not a member.
        if (ready && !terminating && name != null) {
          names.add(name);
        }
      }
    }
    return Set.copyOf(names);
  }

  /** Pods whose Ready condition is true and that are not being deleted. */
  public static Set<String> readyPods(List<Pod> pods) {
    Set<String> names = new HashSet<>();
    for (Pod p : pods) {
      if (p.getMetadata().getDeletionTimestamp() != null || p.getStatus() == null) {
        continue;
      }
      for (PodCondition c : orEmpty(p.getStatus().getConditions())) {
        if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
          names.add(p.getMetadata().getName());
        }
      }
    }
    return Set.copyOf(names);
  }

  /** Stops the informer, letting its watch finish closing, and the heartbeat. */
  @Override
  public void close() {
    heartbeats.close();
    if (informer == null) {
      return;
    }
    informer.stop();
    // Let the watch finish closing before the client goes, so that no half-open watch is left
    // behind on the API server; bounded, since close() may run on a shutdown path.
    try {
      informer.stopped().toCompletableFuture().get(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Stopping failed or is slow; closing the client afterwards ends the watch either way.
    }
  }
}
