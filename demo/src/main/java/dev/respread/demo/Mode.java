package dev.respread.demo;

import dev.respread.RecyclingConfig;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** What the pods do about pinned connections, compared side by side on the same seed. */
enum Mode {
  /** No recycling: what a plain gRPC server does. */
  OFF("off"),
  /** Every connection ends at a jittered fixed age, as grpc-java's {@code maxConnectionAge}. */
  FIXED_AGE("fixed-age"),
  /** respread with its defaults and the shared load view. */
  RESPREAD("respread");

  private final String label;

  Mode(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  static Mode of(String label) {
    for (Mode m : values()) {
      if (m.label.equals(label)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "mode: \"" + label + "\" (expected: off, fixed-age or respread)");
  }

  /** Whether the pods read the shared load view. */
  boolean usesLoadView() {
    return this == RESPREAD;
  }

  /**
   * The pods' configuration.
   *
   * @throws dev.respread.InvalidConfigurationException if a {@code RESPREAD_*} variable is bad
   */
  RecyclingConfig config(Duration fixedAge, Duration grace, Map<String, String> environment) {
    return RecyclingConfig.fromEnvironment(environment(fixedAge, grace, environment));
  }

  /**
   * The pods' configuration as the {@code RESPREAD_*} variables a Deployment would set. Only
   * respread takes the user's {@code RESPREAD_*} variables from {@code environment}, so that
   * they can be tried on the demo without changing the baselines.
   */
  Map<String, String> environment(Duration fixedAge, Duration grace,
      Map<String, String> environment) {
    Map<String, String> env = new TreeMap<>();
    switch (this) {
      case OFF:
        env.put("RESPREAD_ENABLED", "false");
        break;
      case FIXED_AGE:
        env.put("RESPREAD_MAX_CONNECTION_AGE", fixedAge.toString());
        env.put("RESPREAD_MAX_CONNECTION_AGE_GRACE", grace.toString());
        break;
      default:
        env.put("RESPREAD_MAX_CONNECTION_AGE_GRACE", grace.toString());
        environment.forEach((k, v) -> {
          if (k.startsWith("RESPREAD_")) {
            env.put(k, v);
          }
        });
    }
    return env;
  }
}
