package dev.respread;

import java.time.Duration;

/**
 * A shared view of the Service's load: the SPI behind the load controller.
 *
 * <p>A view refreshes itself off the request path, on its own thread, and
 * {@link #latest()} returns what it last saw without blocking. A view that fails (API down, 403,
 * timeout, garbage) keeps returning its last good snapshot, which turns stale, or
 * {@link LoadSnapshot#unavailable()}; the controller then falls back to the age and request rules.
 */
public interface LoadView extends AutoCloseable {

  /** The latest snapshot. Never blocks and never throws. */
  LoadSnapshot latest();

  /**
   * The least difference {@code own - mean}, in this view's unit, worth acting on, used unless
   * {@link RecyclingConfig#loadMinDifference()} is set. Default {@code 0}.
   */
  default double noiseFloor() {
    return 0.0;
  }

  /**
   * The window over which the view measures load. The controller uses it twice: a view value
   * observed less than a window after one of this pod's sheds covers only part of its effect,
   * which the controller makes up for with the effect it measured locally; and a member count
   * must hold for a window before a growth from it counts as a scale-out. Default zero: every
   * value is of the instant it was observed.
   */
  default Duration measurementWindow() {
    return Duration.ZERO;
  }

  /** Stops the view's background work. Default: nothing to stop. */
  @Override
  default void close() {}
}
