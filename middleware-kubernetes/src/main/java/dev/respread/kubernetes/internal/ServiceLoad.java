package dev.respread.kubernetes.internal;

import dev.respread.LoadSnapshot;
import java.util.Map;
import java.util.Set;

/**
 * Turns what a view read (the Service's ready members and a load sample per pod) into a
 * {@link LoadSnapshot}: this pod's load against the mean of the ready members that report one.
 *
 * <p>Only ready, non-terminating members that have a sample count towards the mean. A member
 * without metrics yet (a pod that just started) or a pod that is going away would otherwise
 * count as zero load and drag the mean down, which makes every other pod look hot and shed
 * connections for nothing; this is the "ghost member" failure of piko#322.
 */
public final class ServiceLoad {
  private ServiceLoad() {}

  /** One pod's load and when it was observed, in the load controller's ticker time base. */
  public static final class Sample {
    final double load;
    final long observedAtNanos;

    public Sample(double load, long observedAtNanos) {
      this.load = load;
      this.observedAtNanos = observedAtNanos;
    }

    /** Whether the sample can be averaged: finite and not negative. */
    boolean usable() {
      return Double.isFinite(load) && load >= 0;
    }
  }

  /**
   * The snapshot for {@code ownPod}.
   *
   * @param ready the names of the ready, non-terminating members
   * @param membersObservedAtNanos when {@code ready} was known to be current, or
   *     {@link Long#MIN_VALUE} if it never was
   * @param samples load samples by pod name; pods not in {@code ready} are ignored
   * @return {@link LoadSnapshot#unavailable()} without membership; membership only when this pod
   *     is not a ready member or has no usable sample; else own load, mean load and members,
   *     with the load observed at the oldest sample used
   */
  public static LoadSnapshot snapshot(String ownPod, Set<String> ready,
      long membersObservedAtNanos, Map<String, Sample> samples) {
    if (membersObservedAtNanos == Long.MIN_VALUE || ready.isEmpty()) {
      return LoadSnapshot.unavailable();
    }
    Sample own = samples.get(ownPod);
    if (own == null || !own.usable() || !ready.contains(ownPod)) {
      return LoadSnapshot.membersOnly(ready.size(), membersObservedAtNanos);
    }
    double sum = 0;
    int reporting = 0;
    long oldest = own.observedAtNanos;
    for (String member : ready) {
      Sample s = samples.get(member);
      if (s != null && s.usable()) {
        sum += s.load;
        reporting++;
        if (s.observedAtNanos - oldest < 0) {
          oldest = s.observedAtNanos;
        }
      }
    }
    return LoadSnapshot.of(own.load, sum / reporting, ready.size(), oldest,
        membersObservedAtNanos);
  }
}
