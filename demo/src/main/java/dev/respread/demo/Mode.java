package dev.respread.demo;

import dev.respread.RecyclingConfig;
import java.time.Duration;
import java.util.Map;

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
   * The pods' configuration. Only respread reads {@code RESPREAD_*} variables from
   * {@code environment}, so that they can be tried on the demo without changing the baselines.
   */
  RecyclingConfig config(Duration fixedAge, Duration grace, Map<String, String> environment) {
    switch (this) {
      case OFF:
        return RecyclingConfig.builder().enabled(false).build();
      case FIXED_AGE:
        return RecyclingConfig.builder()
            .maxConnectionAge(fixedAge)
            .maxConnectionAgeGrace(grace)
            .build();
      default:
        return RecyclingConfig.builder()
            .maxConnectionAgeGrace(grace)
            .environment(environment)
            .build();
    }
  }
}
