package dev.respread.kubernetes;

import dev.respread.LoadSnapshot;
import dev.respread.LoadView;
import dev.respread.kubernetes.internal.LoadPart;
import dev.respread.kubernetes.internal.ServiceLoad;
import dev.respread.kubernetes.internal.ServiceLoad.Loads;
import dev.respread.kubernetes.internal.ServiceLoad.Members;
import dev.respread.kubernetes.internal.ViewHealth;
import dev.respread.kubernetes.internal.ViewPart;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A view composed of a membership part and a load part, or of one load part that gives the
 * members too: it keeps the last members and the last load each part reported and publishes
 * the snapshot that {@link ServiceLoad} makes of them. Every view of this module is one.
 */
abstract class ComposedLoadView implements LoadView {
  private final String podName;
  private final double noiseFloor;
  private final ViewPart members;
  private final LoadPart load;
  private final KubernetesClient client;
  private final ViewHealth health;
  private final ViewPart.Sink sink = new ViewPart.Sink() {
    @Override
    public void members(Members m) {
      update(m, null);
    }

    @Override
    public void loads(Loads l) {
      update(null, l);
    }

    @Override
    public void both(Members m, Loads l) {
      update(m, l);
    }
  };

  // Guarded by this.
  private Members lastMembers = Members.UNKNOWN;
  private Loads lastLoads = Loads.NONE;
  private volatile LoadSnapshot latest = LoadSnapshot.unavailable();

  /**
   * Starts the parts.
   *
   * @param source the {@code source} tag of the view's meters
   * @param members the membership part, or {@code null} if {@code load} gives the members
   * @param client a client the view created, closed after the parts, or {@code null}
   */
  ComposedLoadView(String source, LoadViewBuilder<?> b, String podName, double noiseFloor,
      ViewPart members, LoadPart load, KubernetesClient client) {
    this.podName = podName;
    this.noiseFloor = noiseFloor;
    this.members = members;
    this.load = load;
    this.client = client;
    List<String> channels = new ArrayList<>();
    if (members != null) {
      channels.addAll(members.channels());
    }
    channels.addAll(load.channels());
    this.health = new ViewHealth(source, b.name, channels, b.meterRegistry);
    try {
      if (members != null) {
        members.start(sink, health);
      }
      load.start(sink, health);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** {@code null} for what did not change. */
  private synchronized void update(Members m, Loads l) {
    if (m != null) {
      lastMembers = m;
    }
    if (l != null) {
      lastLoads = l;
    }
    latest = ServiceLoad.snapshot(podName, lastMembers, lastLoads);
  }

  /** The last snapshot; never blocks. */
  @Override
  public LoadSnapshot latest() {
    return latest;
  }

  @Override
  public double noiseFloor() {
    return noiseFloor;
  }

  @Override
  public Duration measurementWindow() {
    return load.measurementWindow();
  }

  /** Reads the load now, on the view's thread, instead of waiting for the next period. */
  void refreshNow() {
    load.refreshNow();
  }

  ViewHealth health() {
    return health;
  }

  /** Stops the parts, removes the view's meters, and closes what the view created. */
  @Override
  public void close() {
    if (members != null) {
      members.close();
    }
    load.close();
    health.close();
    if (client != null) {
      client.close();
    }
  }
}
