package dev.respread;

/**
 * A source of monotonic nanoseconds, so that tests and simulations can drive the engine's time.
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds from an arbitrary origin, as {@link System#nanoTime()}. */
  long nanoTime();

  /** The ticker backed by {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
