package dev.respread.demo;

import dev.respread.RecyclingConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What is done about pinned connections, compared side by side on the same seed: by the pods
 * (nothing, a fixed age, respread, a GOAWAY per call or by chance), by the clients (balancing over
 * a headless Service) or by a proxy between them (an L7 proxy).
 */
enum Mode {
  /** No recycling: what a plain gRPC server does. */
  OFF("off"),
  /** Every connection ends at a jittered fixed age, as grpc-java's {@code maxConnectionAge}. */
  FIXED_AGE("fixed-age"),
  /** respread with its defaults and the shared load view. */
  RESPREAD("respread"),
  /** Every call ends its connection: {@code Connection: close} on every response. */
  CLOSE_EVERY_REQUEST("close-every-request"),
  /** kube-apiserver's {@code --goaway-chance}: a call ends its connection with probability p. */
  GOAWAY_CHANCE("goaway-chance"),
  /**
   * grpc-java's {@code round_robin} over a headless Service's pod addresses, re-resolved every
   * refresh period ({@link HeadlessService}).
   */
  CLIENT_SIDE("client-side"),
  /** An HTTP/2 proxy that balances every request across the pods ({@link HaproxyService}). */
  L7_PROXY("l7-proxy");

  /** Every mode, in order, as {@code --modes} takes them. */
  static final String ALL = String.join(",", labels());

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
    List<String> labels = labels();
    throw new IllegalArgumentException("mode: \"" + label + "\" (expected: "
        + String.join(", ", labels.subList(0, labels.size() - 1)) + " or "
        + labels.get(labels.size() - 1) + ")");
  }

  private static List<String> labels() {
    List<String> labels = new ArrayList<>();
    for (Mode m : values()) {
      labels.add(m.label);
    }
    return labels;
  }

  /**
   * The probability that a call ends its connection through the demo's own trigger
   * ({@link GoAwayChance}): 1 for {@link #CLOSE_EVERY_REQUEST}, {@code goAwayChance} for
   * {@link #GOAWAY_CHANCE}, 0 otherwise.
   */
  double goAwayChance(double goAwayChance) {
    return this == CLOSE_EVERY_REQUEST ? 1 : this == GOAWAY_CHANCE ? goAwayChance : 0;
  }

  /** Whether the clients balance over a headless Service instead of dialling one address. */
  boolean clientSide() {
    return this == CLIENT_SIDE;
  }

  /** Whether the clients dial an L7 proxy instead of the Service. */
  boolean l7Proxy() {
    return this == L7_PROXY;
  }

  /** What the mode does, in a few words, for the demo's output. */
  String description() {
    switch (this) {
      case OFF:
        return "no recycling";
      case FIXED_AGE:
        return "every connection ends at a fixed age";
      case RESPREAD:
        return "respread with the shared load view";
      case CLOSE_EVERY_REQUEST:
        return "every call ends its connection (GOAWAY)";
      case GOAWAY_CHANCE:
        return "each call ends its connection with probability p, as kube-apiserver";
      case CLIENT_SIDE:
        return "round_robin over a headless Service's pods, resolved again every refresh";
      default:
        return "clients dial HAProxy, which balances every call over HTTP/2";
    }
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
      case CLOSE_EVERY_REQUEST:
      case GOAWAY_CHANCE:
      case CLIENT_SIDE:
      case L7_PROXY:
        // respread only counts: the alternatives do the spreading, if anything does.
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
