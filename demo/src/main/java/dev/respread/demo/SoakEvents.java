package dev.respread.demo;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * What happens to the Service during the soak, in a cycle that repeats until the soak ends, one
 * {@code gap} apart: a scale-out; Prometheus (the pods' load view) SIGKILLed and restarted after
 * {@code outage}; a scale-in; a rolling restart of every pod; a pod SIGKILLed and replaced.
 */
final class SoakEvents implements Runnable {
  static final String SCALE_OUT = "scale-out";
  static final String PROMETHEUS = "prometheus-restart";
  static final String SCALE_IN = "scale-in";
  static final String ROLLING = "rolling-restart";
  static final String SIGKILL = "sigkill";
  /** How long a SIGTERMed pod may take: the shutdown delay, the grace and a margin. */
  private final Duration termination;

  private final SoakCluster cluster;
  private final SoakStats.KillWindows kills;
  private final Duration gap;
  private final Duration outage;
  private final long startNanos;
  private final Consumer<String> log;
  private final Map<String, Integer> done = new TreeMap<>();
  /** Prometheus outages: [killed, ready again], ms since the soak began. */
  final List<long[]> outages = new CopyOnWriteArrayList<>();
  /** Pods that did not exit by {@link #termination} after SIGTERM. */
  final List<String> notDrained = new CopyOnWriteArrayList<>();

  SoakEvents(SoakCluster cluster, SoakStats.KillWindows kills, Duration gap, Duration outage,
      Duration termination, long startNanos, Consumer<String> log) {
    this.cluster = cluster;
    this.kills = kills;
    this.gap = gap;
    this.outage = outage;
    this.termination = termination;
    this.startNanos = startNanos;
    this.log = log;
  }

  @Override
  public void run() {
    try {
      while (true) {
        pause();
        scaleOut();
        pause();
        prometheusOutage();
        pause();
        scaleIn();
        pause();
        rollingRestart();
        pause();
        sigkill();
      }
    } catch (InterruptedException e) {
      // The soak is over.
    } catch (Exception e) {
      log.accept("events stopped: " + e);
    }
  }

  /** How many times each event ran to its end. */
  synchronized Map<String, Integer> done() {
    return new TreeMap<>(done);
  }

  private synchronized void count(String event) {
    done.merge(event, 1, Integer::sum);
  }

  private void pause() throws InterruptedException {
    Thread.sleep(gap.toMillis());
  }

  private long now() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private void say(String format, Object... args) {
    log.accept(String.format(Locale.ROOT, "[%5.1fs] ", now() / 1000.0)
        + String.format(Locale.ROOT, format, args));
  }

  private void scaleOut() throws Exception {
    PodProcess pod = cluster.startPod();
    cluster.join(pod);
    count(SCALE_OUT);
    say("scale-out: %s ready and in the Service (%d pods)", pod.name(),
        cluster.inService().size());
  }

  private void prometheusOutage() throws Exception {
    long killed = now();
    cluster.killPrometheus();
    say("prometheus: SIGKILL; back in %ds", outage.toSeconds());
    Thread.sleep(outage.toMillis());
    int usable = cluster.podsWithUsableView();
    cluster.restartPrometheus();
    long ready = now();
    outages.add(new long[] {killed, ready});
    count(PROMETHEUS);
    say("prometheus: restarted and ready after %.1f s down; before the restart %d of %d pods "
        + "used their load view", (ready - killed) / 1000.0, usable, cluster.inService().size());
  }

  private void scaleIn() throws Exception {
    List<PodProcess> pods = cluster.inService();
    PodProcess pod = pods.get(pods.size() - 1);
    stop(pod, "scale-in");
    count(SCALE_IN);
  }

  private void rollingRestart() throws Exception {
    List<PodProcess> old = cluster.inService();
    say("rolling restart of %d pods", old.size());
    for (PodProcess pod : old) {
      PodProcess next = cluster.startPod();
      cluster.join(next);
      say("rolling restart: %s ready and in the Service", next.name());
      stop(pod, "rolling restart");
    }
    count(ROLLING);
  }

  /** Out of the endpoints, then SIGTERM: the pod drains after its shutdown delay and exits. */
  private void stop(PodProcess pod, String why) throws Exception {
    cluster.leave(pod);
    long ms = cluster.terminate(pod, termination);
    if (ms < 0) {
      notDrained.add(pod.name());
      say("%s: %s left the Service, SIGTERM; NOT exited after %d s (SIGKILLed)", why,
          pod.name(), termination.toSeconds());
    } else {
      say("%s: %s left the Service, SIGTERM, drained and exited in %.1f s (%d pods)", why,
          pod.name(), ms / 1000.0, cluster.inService().size());
    }
  }

  private void sigkill() throws Exception {
    PodProcess pod = cluster.inService().get(0);
    // The pod leaves the endpoints as it dies: connections to a dead pod's port (kube-proxy
    // has not caught up yet) would be refused, a failure no server library can prevent.
    cluster.leave(pod);
    cluster.kill(pod, kills);
    count(SIGKILL);
    say("sigkill: %s SIGKILLed", pod.name());
    PodProcess next = cluster.startPod();
    cluster.join(next);
    say("sigkill: %s replaces it (%d pods)", next.name(), cluster.inService().size());
  }
}
