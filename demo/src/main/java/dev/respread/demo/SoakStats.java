package dev.respread.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one soak client saw: requests answered, failures by class, the failures of calls that a
 * SIGKILLed pod had in flight (counted apart, the only failures the soak allows), and the
 * connections it was served on ({@value HelloService#CONNECTION_HEADER}, the pod's id of each
 * connection).
 */
final class SoakStats {
  private static final int KEPT_MESSAGES = 5;

  final String client;
  final String protocol;
  private final KillWindows kills;
  private final LongAdder ok = new LongAdder();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final LongAdder killed = new LongAdder();
  private final LongAdder resent = new LongAdder();
  private final Set<String> connections = ConcurrentHashMap.newKeySet();
  /** Connections counted by a client in another process, which reports only the number. */
  private final AtomicLong reportedConnections = new AtomicLong();
  private final List<String> firstFailures = new CopyOnWriteArrayList<>();

  SoakStats(String client, String protocol, KillWindows kills) {
    this.client = client;
    this.protocol = protocol;
    this.kills = kills;
  }

  void succeeded() {
    ok.increment();
  }

  void succeeded(long n) {
    ok.add(n);
  }

  /** A response came on connection {@code id} (null when the response had no header). */
  void connection(String id) {
    if (id != null) {
      connections.add(id);
    }
  }

  void reportedConnections(long n) {
    reportedConnections.set(n);
  }

  /**
   * A call started at {@code startNanos} ({@link System#nanoTime()}) failed now with
   * {@code failureClass}.
   */
  void failed(long startNanos, String failureClass, String message) {
    failed(kills.inFlightAtKill(startNanos, System.nanoTime()), failureClass, message);
  }

  /** A call from another process, started and ended at these epoch milliseconds, failed. */
  void failedAtMillis(long startMillis, long endMillis, String failureClass, String message) {
    failed(kills.inFlightAtKillMillis(startMillis, endMillis), failureClass, message);
  }

  /** A call failed; {@code atKill}: it was in flight on a pod when the pod was SIGKILLed. */
  void failed(boolean atKill, String failureClass, String message) {
    if (atKill) {
      killed.increment();
    } else {
      failures.computeIfAbsent(failureClass, k -> new LongAdder()).increment();
    }
    if (firstFailures.size() < KEPT_MESSAGES) {
      firstFailures.add(String.format(java.util.Locale.ROOT, "at %.1f s: %s%s: %s",
          (System.nanoTime() - kills.startNanos) / 1e9, atKill ? "[sigkill] " : "",
          failureClass, message));
    }
  }

  long requests() {
    return ok.sum() + failed() + killed();
  }

  long failed() {
    return failures.values().stream().mapToLong(LongAdder::sum).sum();
  }

  long killed() {
    return killed.sum();
  }

  /** A call failed before its request left the client, and was sent again (OkHttp only). */
  void resend() {
    resent.increment();
  }

  long resent() {
    return resent.sum();
  }

  Map<String, Long> failuresByClass() {
    Map<String, Long> m = new TreeMap<>();
    failures.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  long connections() {
    return Math.max(connections.size(), reportedConnections.get());
  }

  List<String> firstFailures() {
    return new ArrayList<>(firstFailures);
  }

  /**
   * When pods were SIGKILLed: from the signal until the soak saw the process gone. A call was in
   * flight on such a pod when it started before the pod was gone and ended after the signal.
   */
  static final class KillWindows {
    private final List<long[]> windows = new CopyOnWriteArrayList<>();
    /** When the soak began, for the times in failure messages. */
    final long startNanos = System.nanoTime();

    /** Records a SIGKILL sent now; returns the handle for {@link #dead}. */
    long[] killed() {
      long[] w = {System.nanoTime(), Long.MAX_VALUE, System.currentTimeMillis(), Long.MAX_VALUE};
      windows.add(w);
      return w;
    }

    /** The pod of {@code window} is gone. */
    void dead(long[] window) {
      window[3] = System.currentTimeMillis();
      window[1] = System.nanoTime();
    }

    boolean inFlightAtKill(long startNanos, long endNanos) {
      for (long[] w : windows) {
        if (startNanos - w[1] <= 0 && endNanos - w[0] >= 0) {
          return true;
        }
      }
      return false;
    }

    /** As {@link #inFlightAtKill}, on epoch milliseconds, with a millisecond either side. */
    boolean inFlightAtKillMillis(long startMillis, long endMillis) {
      for (long[] w : windows) {
        if (startMillis <= w[3] + 1 && endMillis >= w[2] - 1) {
          return true;
        }
      }
      return false;
    }

    /** Whether a pod was SIGKILLed between these epoch milliseconds. */
    boolean anyBetweenMillis(long fromMillis, long toMillis) {
      for (long[] w : windows) {
        if (w[2] >= fromMillis && w[2] <= toMillis) {
          return true;
        }
      }
      return false;
    }
  }
}
