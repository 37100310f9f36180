package dev.respread.simulation;

import dev.respread.RecycleReason;
import java.util.EnumMap;
import java.util.Map;

/** What one run of a {@link Scenario} in one {@link Mode} did. Immutable. */
final class Outcome {
  /** How often one client was drained: in all, by the load controller, and by it twice running. */
  record Moves(int total, int byLoad, int pingPongs) {
    static final Moves NONE = new Moves(0, 0, 0);
  }

  /** {@link #timeToBalanceSeconds()} when the Service never balanced. */
  static final long NEVER = -1;

  private final Scenario scenario;
  private final Mode mode;
  private final double[] ratios;
  private final long[] drainsBySecond;
  private final Map<RecycleReason, Long> serverDrains;
  private final long forcedCloses;
  private final Moves heavy;
  private final long timeToBalance;

  Outcome(Scenario scenario, Mode mode, double[] ratios, long[] drainsBySecond,
      Map<RecycleReason, Long> serverDrains, long forcedCloses, Moves heavy) {
    this.scenario = scenario;
    this.mode = mode;
    this.ratios = ratios.clone();
    this.drainsBySecond = drainsBySecond.clone();
    this.serverDrains = new EnumMap<>(serverDrains);
    this.forcedCloses = forcedCloses;
    this.heavy = heavy;
    this.timeToBalance = timeToBalance(ratios, scenario.eventSecond);
  }

  /**
   * The first second {@code t} at or after the event (or the start) from which the busiest pod
   * stays within {@link Simulation#BALANCED} of the mean for {@link Simulation#HOLD_SECONDS}
   * consecutive seconds, measured from the event; {@link #NEVER} if there is none that leaves
   * a full hold window before the end of the run.
   */
  private static long timeToBalance(double[] ratios, long from) {
    int run = 0;
    long found = NEVER;
    // Walk backwards, counting how many balanced seconds start at each second.
    for (int t = ratios.length - 1; t >= from; t--) {
      run = ratios[t] <= Simulation.BALANCED ? run + 1 : 0;
      if (run >= Simulation.HOLD_SECONDS) {
        found = t - from;
      }
    }
    return found;
  }

  Scenario scenario() {
    return scenario;
  }

  Mode mode() {
    return mode;
  }

  /** Seconds from the event to balance, or {@link #NEVER}. */
  long timeToBalanceSeconds() {
    return timeToBalance;
  }

  boolean balanced() {
    return timeToBalance != NEVER;
  }

  /** How many final seconds {@link #finalRatio()} averages over. */
  static final int FINAL_SECONDS = 300;

  /**
   * Busiest pod's request rate over the mean, averaged over the last {@link #FINAL_SECONDS}
   * simulated seconds, so that one lucky or unlucky second does not decide it.
   */
  double finalRatio() {
    int from = Math.max(0, ratios.length - FINAL_SECONDS);
    double sum = 0;
    for (int t = from; t < ratios.length; t++) {
      sum += ratios[t];
    }
    return sum / (ratios.length - from);
  }

  /** Busiest pod over the mean in each simulated second (ghost members excluded). */
  double ratioAt(long second) {
    return ratios[(int) second];
  }

  /** Drains the recyclers counted in {@code respread.connections.drained}, whole run. */
  long drains() {
    return serverDrains.values().stream().mapToLong(Long::longValue).sum();
  }

  long drains(RecycleReason reason) {
    return serverDrains.getOrDefault(reason, 0L);
  }

  /** Drains that clients saw, that is reconnects, up to and including {@code second}. */
  long clientDrainsUntil(long second) {
    return drainsBySecond[(int) Math.min(second, drainsBySecond.length - 1)];
  }

  long clientDrains() {
    return drainsBySecond[drainsBySecond.length - 1];
  }

  /**
   * Drains from the start until the Service balanced, or over the whole run if it never did: the
   * price paid for {@link #timeToBalanceSeconds()}.
   */
  long drainsToBalance() {
    return balanced()
        ? clientDrainsUntil(scenario.eventSecond + timeToBalance)
        : clientDrains();
  }

  /** Hard closes the recyclers asked for; each would fail the client's in-flight requests. */
  long forcedCloses() {
    return forcedCloses;
  }

  /** Times the heavy client's connection was drained, for any reason. */
  int heavyMoves() {
    return heavy.total();
  }

  /** Times the heavy client was drained by the load controller (load or scale-out). */
  int heavyLoadMoves() {
    return heavy.byLoad();
  }

  /**
   * Times the load controller moved the heavy client again right after it had moved it, with no
   * other drain between: the ping-pong of a hot spot chased from pod to pod.
   */
  int heavyPingPongs() {
    return heavy.pingPongs();
  }
}
