package dev.respread.kubernetes;

import static dev.respread.kubernetes.internal.Variables.SERVICE_NAME;
import static java.util.Objects.requireNonNull;

import dev.respread.Ticker;
import dev.respread.internal.ConfigProblems;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;

/** The settings both views share. */
abstract class LoadViewBuilder<B extends LoadViewBuilder<B>> {
  double noiseFloor = Double.NaN;
  Ticker ticker = Ticker.system();
  Clock clock = Clock.systemUTC();
  MeterRegistry meterRegistry;
  Map<String, String> environment = Map.of();
  String name = "default";

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /**
   * The least {@code own - mean}, in the view's unit, worth shedding over. Default: the view's
   * (see its class). {@code RESPREAD_LOAD_MIN_DIFFERENCE} overrides it in the engine.
   */
  public B noiseFloor(double noiseFloor) {
    this.noiseFloor = noiseFloor;
    return self();
  }

  /** The load controller's clock; snapshots are stamped in its time base. Default system. */
  public B ticker(Ticker ticker) {
    this.ticker = requireNonNull(ticker, "ticker");
    return self();
  }

  /**
   * The wall clock that server timestamps (PodMetrics times, PromQL evaluation times) are
   * compared with to know their age. Default the UTC system clock.
   */
  public B clock(Clock clock) {
    this.clock = requireNonNull(clock, "clock");
    return self();
  }

  /** Where the view's state gauge and failure counter go. Default: none. */
  public B meterRegistry(MeterRegistry meterRegistry) {
    this.meterRegistry = requireNonNull(meterRegistry, "meterRegistry");
    return self();
  }

  /**
   * The value of the {@code view} tag on the view's meters, which tells apart two views of the
   * same source reporting to one registry, such as one per server. Keep it to a few fixed values
   * (never a pod or connection id). Default {@code default}; a second live view with the same
   * source, name and registry gets {@code default-2}, and so on.
   */
  public B name(String name) {
    this.name = requireNonNull(name, "name");
    return self();
  }

  /** The environment whose variables override this builder. Typically {@code System.getenv()}. */
  public B environment(Map<String, String> environment) {
    this.environment = Map.copyOf(requireNonNull(environment, "environment"));
    return self();
  }

  /** Adds a problem for each setting both views share that is out of range. */
  void checkShared(ConfigProblems problems) {
    if (!Double.isNaN(noiseFloor) && !(noiseFloor >= 0 && noiseFloor < Double.MAX_VALUE)) {
      problems.add("noiseFloor: " + noiseFloor, ">= 0.0");
    }
    if (name.isBlank()) {
      problems.add("name: \"" + name + '"', "not blank");
    }
  }

  /** Adds a problem if neither is set: members from the Kubernetes API need one of them. */
  static void requireServiceOrSelector(ConfigProblems problems, String serviceName,
      Map<String, String> podSelector) {
    if (serviceName == null && podSelector.isEmpty()) {
      problems.crossCheck(SERVICE_NAME, "serviceName", "null",
          "the Service's name, or RESPREAD_POD_SELECTOR with its pods' labels");
    }
  }

  /** The noise floor set, or {@code fallback} if none was. */
  double noiseFloorOr(double fallback) {
    return Double.isNaN(noiseFloor) ? fallback : noiseFloor;
  }
}
