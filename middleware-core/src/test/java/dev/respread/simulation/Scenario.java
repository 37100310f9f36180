package dev.respread.simulation;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One situation the controller must handle: pods, clients of uneven weight, and at most one
 * scale-out. Immutable; build one with {@link #builder(String)}.
 *
 * <p>Clients are described by their request rate, in requests per second, as a function of the
 * simulated second, so that load can flap while the clients stay connected.
 */
final class Scenario {
  /** A client's request rate at a given simulated second. */
  @FunctionalInterface
  interface Weight {
    int requestsPerSecond(long second);

    static Weight steady(int rps) {
      return s -> rps;
    }

    /** {@code high} for {@code period} seconds, then {@code low} as long, starting at {@code phase}. */
    static Weight flapping(int low, int high, long period, long phase) {
      return s -> ((s + phase) / period) % 2 == 0 ? high : low;
    }
  }

  final String name;
  final int initialPods;
  final int podsAfterScaleOut;
  final long eventSecond;
  final long durationSeconds;
  final int ghostMembers;
  final List<Weight> clients;
  /** Index into {@link #clients} of the client whose moves are counted, or -1. */
  final int heavyClient;
  final long seed;
  final ViewModel view;
  /** From this second on, every client's rate grows linearly to {@link #rampFactor} times. */
  final long rampFromSecond;
  final long rampSeconds;
  final double rampFactor;
  /** Overrides {@link Mode}'s configuration of the respread mode, or null. */
  final dev.respread.RecyclingConfig respreadConfig;

  private Scenario(Builder b) {
    this.name = b.name;
    this.initialPods = b.initialPods;
    this.podsAfterScaleOut = b.podsAfterScaleOut == 0 ? b.initialPods : b.podsAfterScaleOut;
    this.eventSecond = b.eventSecond;
    this.durationSeconds = b.durationSeconds;
    this.ghostMembers = b.ghostMembers;
    this.clients = List.copyOf(b.clients);
    this.heavyClient = b.heavyClient;
    this.seed = b.seed;
    this.view = b.view;
    this.rampFromSecond = b.rampFromSecond;
    this.rampSeconds = b.rampSeconds;
    this.rampFactor = b.rampFactor;
    this.respreadConfig = b.respreadConfig;
  }

  /** How much the traffic has grown by {@code second}: 1 before the ramp. */
  double trafficFactor(double second) {
    if (rampSeconds <= 0 || second < rampFromSecond) {
      return 1.0;
    }
    double progress = Math.min(1.0, (second - rampFromSecond) / rampSeconds);
    return 1.0 + (rampFactor - 1.0) * progress;
  }

  static Builder builder(String name) {
    return new Builder(name);
  }

  boolean scalesOut() {
    return podsAfterScaleOut > initialPods;
  }

  static final class Builder {
    private final String name;
    private int initialPods = 1;
    private int podsAfterScaleOut;
    private long eventSecond;
    private long durationSeconds = 20 * 60;
    private int ghostMembers;
    private final List<Weight> clients = new ArrayList<>();
    private int heavyClient = -1;
    private long seed = 1;
    private ViewModel view = ViewModel.exact();
    private long rampFromSecond;
    private long rampSeconds;
    private double rampFactor = 1.0;
    private dev.respread.RecyclingConfig respreadConfig;

    private Builder(String name) {
      this.name = requireNonNull(name, "name");
    }

    Builder pods(int pods) {
      if (pods < 1) {
        throw new IllegalArgumentException("pods: " + pods + " (expected: >= 1)");
      }
      this.initialPods = pods;
      return this;
    }

    /** Adds ready pods at {@code second}, so that {@code pods} serve from then on. */
    Builder scaleOutTo(int pods, long second) {
      if (pods <= initialPods) {
        throw new IllegalArgumentException(
            "scaleOutTo: " + pods + " (expected: > " + initialPods + ")");
      }
      this.podsAfterScaleOut = pods;
      this.eventSecond = second;
      return this;
    }

    /** Simulated seconds after the event (or after the start, without one). */
    Builder durationSeconds(long seconds) {
      this.durationSeconds = seconds;
      return this;
    }

    /** Members that every view counts as ready but that kube-proxy never routes to. */
    Builder ghostMembers(int ghosts) {
      this.ghostMembers = ghosts;
      return this;
    }

    Builder client(Weight weight) {
      clients.add(requireNonNull(weight, "weight"));
      return this;
    }

    /**
     * Adds {@code count} steady clients whose rates spread over more than an order of magnitude:
     * {@code round(10 × e^(0.75 g))} with g standard normal, drawn from {@code seed}.
     */
    Builder unevenClients(int count, long seed) {
      Random r = new Random(seed);
      for (int i = 0; i < count; i++) {
        int rps = (int) Math.max(1, Math.round(10 * Math.exp(0.75 * r.nextGaussian())));
        clients.add(Weight.steady(rps));
      }
      return this;
    }

    /** Adds a client and counts its moves in {@link Outcome#heavyMoves()}. */
    Builder heavyClient(int rps) {
      heavyClient = clients.size();
      clients.add(Weight.steady(rps));
      return this;
    }

    Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** What the pods' view sees; default {@link ViewModel#exact()}. */
    Builder view(ViewModel view) {
      this.view = requireNonNull(view, "view");
      return this;
    }

    /** Every client's rate grows linearly by {@code factor} over {@code seconds} from {@code from}. */
    Builder ramp(long from, long seconds, double factor) {
      this.rampFromSecond = from;
      this.rampSeconds = seconds;
      this.rampFactor = factor;
      return this;
    }

    /** The respread mode runs with this configuration instead of its default. */
    Builder respreadConfig(dev.respread.RecyclingConfig config) {
      this.respreadConfig = requireNonNull(config, "config");
      return this;
    }

    Scenario build() {
      if (clients.isEmpty()) {
        throw new IllegalArgumentException("clients: none (expected: at least one)");
      }
      return new Scenario(this);
    }
  }
}
