package dev.respread.kubernetes.internal;

import dev.respread.LoadSnapshot;
import java.util.Map;
import java.util.Set;

/**
 * Turns what a view's two parts read, the Service's members and the load, into a
 * {@link LoadSnapshot}: this pod's load against the mean of the members that report one.
 *
 * <p>Only members that have a sample count towards the mean. A member without a load yet (a pod
 * that just started, whose {@code rate()} has fewer than two samples) or a pod that is going away
 * would otherwise count as zero load and drag the mean down, which makes every other pod look hot
 * and shed connections for nothing; this is the "ghost member" failure of piko#322. Such a member
 * still counts in {@link LoadSnapshot#readyMembers()}, so that a scale-out shows at once, and not
 * in {@link LoadSnapshot#reportingMembers()}. Own and mean loads that a custom query aggregated
 * are taken as covering every member.
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
   * What a membership source last read: the members by name, or only their number when a
   * custom Prometheus query counts them, and when the membership was known to be current.
   */
  public static final class Members {
    /** Nothing read yet. */
    public static final Members UNKNOWN = new Members(Set.of(), 0, Long.MIN_VALUE);

    final Set<String> names;
    final int count;
    final long observedAtNanos;

    private Members(Set<String> names, int count, long observedAtNanos) {
      this.names = names;
      this.count = count;
      this.observedAtNanos = observedAtNanos;
    }

    /**
     * The members {@code names}, current at {@code observedAtNanos}, or at
     * {@link Long#MIN_VALUE} if they never were (an informer that has not synced).
     */
    public static Members named(Set<String> names, long observedAtNanos) {
      return new Members(Set.copyOf(names), names.size(), observedAtNanos);
    }

    /** Only how many members there are, as a custom members query answers. */
    public static Members counted(int count, long observedAtNanos) {
      return new Members(null, count, observedAtNanos);
    }
  }

  /**
   * What a load source last read: a sample per pod, or, from custom Prometheus queries that
   * aggregate in the server, this pod's load and the mean directly.
   */
  public static final class Loads {
    /** Nothing read yet. */
    public static final Loads NONE = perPod(Map.of());

    final Map<String, Sample> samples;
    final Double own;
    final Double mean;
    final long observedAtNanos;

    private Loads(Map<String, Sample> samples, Double own, Double mean, long observedAtNanos) {
      this.samples = samples;
      this.own = own;
      this.mean = mean;
      this.observedAtNanos = observedAtNanos;
    }

    /** Load samples by pod name; pods that are not members are ignored. */
    public static Loads perPod(Map<String, Sample> samples) {
      return new Loads(Map.copyOf(samples), null, null, Long.MIN_VALUE);
    }

    /** This pod's load and the mean as the server computed them; {@code null} when missing. */
    public static Loads aggregated(Double own, Double mean, long observedAtNanos) {
      return new Loads(null, own, mean, observedAtNanos);
    }
  }

  /**
   * The snapshot for {@code ownPod}, which may be {@code null} only where the members are counted
   * and the load aggregated, as neither names a pod.
   *
   * @return {@link LoadSnapshot#unavailable()} without membership; membership only when this pod
   *     is not a member or has no usable load; else own load, mean load, members and the members
   *     the mean covers, with the load observed at the oldest sample used
   */
  public static LoadSnapshot snapshot(String ownPod, Members members, Loads loads) {
    if (members.observedAtNanos == Long.MIN_VALUE || members.count < 1) {
      return LoadSnapshot.unavailable();
    }
    LoadSnapshot membersOnly = LoadSnapshot.membersOnly(members.count, members.observedAtNanos);
    // Pods are told apart by name only where the members are named; a count has no names.
    if (members.names != null && !members.names.contains(ownPod)) {
      return membersOnly;
    }
    if (loads.samples == null) {
      return loads.own == null || loads.mean == null ? membersOnly
          : LoadSnapshot.of(loads.own, loads.mean, members.count, loads.observedAtNanos,
              members.observedAtNanos);
    }
    Sample own = loads.samples.get(ownPod);
    if (own == null || !own.usable() || members.names == null) {
      return membersOnly;
    }
    double sum = 0;
    int reporting = 0;
    long oldest = own.observedAtNanos;
    for (String member : members.names) {
      Sample s = loads.samples.get(member);
      if (s != null && s.usable()) {
        sum += s.load;
        reporting++;
        if (s.observedAtNanos - oldest < 0) {
          oldest = s.observedAtNanos;
        }
      }
    }
    return LoadSnapshot.of(own.load, sum / reporting, members.count, reporting, oldest,
        members.observedAtNanos);
  }
}
