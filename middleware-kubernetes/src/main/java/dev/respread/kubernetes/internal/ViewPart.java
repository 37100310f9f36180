package dev.respread.kubernetes.internal;

import dev.respread.kubernetes.internal.ServiceLoad.Loads;
import dev.respread.kubernetes.internal.ServiceLoad.Members;
import java.util.List;

/**
 * One part of a load view: a membership source (EndpointSlices, Pods), a load source
 * ({@code metrics.k8s.io}), or a Prometheus query that gives the load and, without the
 * Kubernetes API, the members too. A view is composed of one part that gives the members and one
 * that gives the load, or of one part that gives both; it turns what they report into snapshots.
 *
 * <p>A part reads in the background, on threads of its own, from {@link #start} until
 * {@link #close}, and reports each read to the view's {@link Sink} and each success or failure
 * to the view's {@link ViewHealth} under its {@link #channels() channels}.
 */
public interface ViewPart extends AutoCloseable {

  /** Where a part reports what it read. Thread-safe. */
  interface Sink {
    /** The members changed, or were confirmed current. */
    void members(Members members);

    /** A new load was read. */
    void loads(Loads loads);

    /** Members and load read together, in one answer: published as one snapshot. */
    void both(Members members, Loads loads);
  }

  /** What this part reads, as named in the view's log messages and failure counts. */
  List<String> channels();

  /** Starts reading in the background; never waits for the network. */
  void start(Sink sink, ViewHealth health);

  /** Stops reading. */
  @Override
  void close();
}
