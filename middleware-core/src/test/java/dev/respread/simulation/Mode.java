package dev.respread.simulation;

import dev.respread.RecyclingConfig;
import java.time.Duration;

/** The ways a Service can run, compared on the same scenario. */
enum Mode {
  /** No recycling: a connection stays on the pod it first reached. */
  OFF("off", false, RecyclingConfig.builder().enabled(false).build()),
  /**
   * What most deployments use today: every connection ends after 5 minutes ± 10 %, whatever the
   * load (grpc-java's {@code maxConnectionAge}).
   */
  FIXED_AGE("fixed age 5m", false, RecyclingConfig.builder()
      .maxConnectionAge(Duration.ofMinutes(5))
      .jitter(0.1)
      .build()),
  /**
   * respread with its defaults: the 10 minute age backstop (40 minutes on a pod below the mean),
   * the load controller over a view refreshed every second, and the scale-out reaction.
   */
  RESPREAD("respread", true, RecyclingConfig.defaults());

  final String label;
  final boolean loadView;
  final RecyclingConfig config;

  Mode(String label, boolean loadView, RecyclingConfig config) {
    this.label = label;
    this.loadView = loadView;
    this.config = config;
  }
}
