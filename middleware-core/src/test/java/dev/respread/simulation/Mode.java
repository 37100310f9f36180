package dev.respread.simulation;

import dev.respread.RecyclingConfig;
import java.time.Duration;

/**
 * The ways a Service can run, compared on the same scenario.
 *
 * <p>Both recycling modes lift the drain budget (10 per second, a quarter of the connections at
 * once, tested on its own in the rule tests) out of the way: the simulation compares what the
 * rules ask for, and the engine walks its connections in hash order, so a budget that binds would
 * pick which of two due connections goes first differently from run to run.
 */
enum Mode {
  /** No recycling: a connection stays on the pod it first reached. */
  OFF("off", false, RecyclingConfig.builder().enabled(false)),
  /**
   * What most deployments use today: every connection ends after 5 minutes ± 10 %, whatever the
   * load (grpc-java's {@code maxConnectionAge}).
   */
  FIXED_AGE("fixed age 5m", false, RecyclingConfig.builder()
      .maxConnectionAge(Duration.ofMinutes(5))
      .jitter(0.1)),
  /**
   * respread with its defaults: the 10 minute age backstop (40 minutes on a pod below the mean),
   * the load controller over a view refreshed every second, and the scale-out reaction.
   */
  RESPREAD("respread", true, RecyclingConfig.builder());

  final String label;
  final boolean loadView;
  final RecyclingConfig config;

  Mode(String label, boolean loadView, RecyclingConfig.Builder config) {
    this.label = label;
    this.loadView = loadView;
    this.config = config.maxDrainsPerSecond(1000).maxDrainingFraction(1.0).build();
  }
}
