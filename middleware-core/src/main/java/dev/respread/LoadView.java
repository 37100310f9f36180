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
   * The window over which the view measures load. After it sheds, the controller waits for load
   * observed at least this long after the drains, so that it judges their effect and not the
   * load from before. Default zero.
   */
  default Duration measurementWindow() {
    return Duration.ZERO;
  }

  /** Stops the view's background work. Default: nothing to stop. */
  @Override
  default void close() {}
}
