package dev.respread.kubernetes;

import static java.util.Objects.requireNonNull;

import dev.respread.Ticker;
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

  /** The environment whose variables override this builder. Typically {@code System.getenv()}. */
  public B environment(Map<String, String> environment) {
    this.environment = Map.copyOf(requireNonNull(environment, "environment"));
    return self();
  }

  /** Adds a problem unless the noise floor is unset (NaN) or a finite number {@code >= 0}. */
  void checkNoiseFloor(dev.respread.internal.ConfigProblems problems) {
    if (!Double.isNaN(noiseFloor) && !(noiseFloor >= 0 && noiseFloor < Double.MAX_VALUE)) {
      problems.add("noiseFloor: " + noiseFloor, ">= 0.0");
    }
  }

  /** The noise floor set, or {@code fallback} if none was. */
  double noiseFloorOr(double fallback) {
    return Double.isNaN(noiseFloor) ? fallback : noiseFloor;
  }
}
