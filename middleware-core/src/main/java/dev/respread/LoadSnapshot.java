package dev.respread;

/**
 * What a {@link LoadView} knows about the Service at one moment: this pod's load, the mean load of
 * the members that report one, how many members report one, and how many members are ready.
 *
 * <p>The controller takes the Service's total load as {@code mean × reportingMembers} and its
 * fair share as that total over {@code readyMembers}: moving connections between pods does not
 * change the total, so an old mean stays right while connections re-spread, and a member that is
 * ready but has no load yet (a pod that a scale-out just added) lowers the fair share at once.
 *
 * <p>Load is in the view's own unit (CPU cores, requests per second); the controller only uses
 * ratios and the difference {@code own - mean}. Times are in the {@link Ticker} time base that the
 * {@link ConnectionRecycler} uses, {@link System#nanoTime()} unless a test injects its own.
 */
public final class LoadSnapshot {
  private static final LoadSnapshot UNAVAILABLE =
      new LoadSnapshot(Double.NaN, Double.NaN, 0, 0, Long.MIN_VALUE, Long.MIN_VALUE);

  private final double ownLoad;
  private final double meanLoad;
  private final int readyMembers;
  private final int reportingMembers;
  private final long loadObservedAtNanos;
  private final long membersObservedAtNanos;

  private LoadSnapshot(double ownLoad, double meanLoad, int readyMembers, int reportingMembers,
      long loadObservedAtNanos, long membersObservedAtNanos) {
    this.ownLoad = ownLoad;
    this.meanLoad = meanLoad;
    this.readyMembers = readyMembers;
    this.reportingMembers = reportingMembers;
    this.loadObservedAtNanos = loadObservedAtNanos;
    this.membersObservedAtNanos = membersObservedAtNanos;
  }

  /**
   * A snapshot whose load and membership were observed at the same time. Values are taken as
   * given; the controller, not this class, decides whether they make sense (NaN, negative or
   * impossible values make it fall back to the age and request rules).
   */
  public static LoadSnapshot of(double ownLoad, double meanLoad, int readyMembers,
      long observedAtNanos) {
    return new LoadSnapshot(ownLoad, meanLoad, readyMembers, readyMembers, observedAtNanos,
        observedAtNanos);
  }

  /**
   * A snapshot whose membership (from a watch, fresh within a second) and load (polled, often
   * older) were observed at different times.
   */
  public static LoadSnapshot of(double ownLoad, double meanLoad, int readyMembers,
      long loadObservedAtNanos, long membersObservedAtNanos) {
    return new LoadSnapshot(ownLoad, meanLoad, readyMembers, readyMembers, loadObservedAtNanos,
        membersObservedAtNanos);
  }

  /**
   * A snapshot whose mean covers {@code reportingMembers} of the {@code readyMembers}: members
   * without a load value yet (a pod whose rate has fewer than two samples) are left out of the
   * mean but still count as members.
   */
  public static LoadSnapshot of(double ownLoad, double meanLoad, int readyMembers,
      int reportingMembers, long loadObservedAtNanos, long membersObservedAtNanos) {
    return new LoadSnapshot(ownLoad, meanLoad, readyMembers, reportingMembers,
        loadObservedAtNanos, membersObservedAtNanos);
  }

  /** Membership without load, for a view whose metrics are not available yet. */
  public static LoadSnapshot membersOnly(int readyMembers, long observedAtNanos) {
    return new LoadSnapshot(Double.NaN, Double.NaN, readyMembers, 0, Long.MIN_VALUE,
        observedAtNanos);
  }

  /** No information at all: the view has not read anything yet, or everything failed. */
  public static LoadSnapshot unavailable() {
    return UNAVAILABLE;
  }

  /** This pod's load, or NaN if unknown. */
  public double ownLoad() {
    return ownLoad;
  }

  /** The mean load over the members that report one, or NaN if unknown. */
  public double meanLoad() {
    return meanLoad;
  }

  /** Ready members of the Service, this pod included; 0 if unknown. */
  public int readyMembers() {
    return readyMembers;
  }

  /**
   * How many members the mean covers; the snapshot factories that do not take it assume every
   * ready member. 0 without load values.
   */
  public int reportingMembers() {
    return reportingMembers;
  }

  /** When the load values were observed, or {@link Long#MIN_VALUE} if there are none. */
  public long loadObservedAtNanos() {
    return loadObservedAtNanos;
  }

  /** When the membership was observed, or {@link Long#MIN_VALUE} if unknown. */
  public long membersObservedAtNanos() {
    return membersObservedAtNanos;
  }

  /** Whether this snapshot carries load values at all. */
  public boolean hasLoad() {
    return loadObservedAtNanos != Long.MIN_VALUE;
  }

  /** Whether this snapshot carries membership. */
  public boolean hasMembers() {
    return membersObservedAtNanos != Long.MIN_VALUE && readyMembers > 0;
  }

  @Override
  public String toString() {
    return "LoadSnapshot{own=" + ownLoad + ", mean=" + meanLoad + ", members=" + readyMembers
        + ", reporting=" + reportingMembers + '}';
  }
}
