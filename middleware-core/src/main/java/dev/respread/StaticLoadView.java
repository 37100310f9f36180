package dev.respread;

import static java.util.Objects.requireNonNull;

/**
 * A load view set by code: for tests, simulations, demos, and servers that compute their load
 * share themselves.
 */
public final class StaticLoadView implements LoadView {
  private final Ticker ticker;
  private final double noiseFloor;
  private volatile LoadSnapshot latest = LoadSnapshot.unavailable();

  /** A view whose snapshots are stamped with {@code ticker} and that has no noise floor. */
  public StaticLoadView(Ticker ticker) {
    this(ticker, 0.0);
  }

  /** A view whose snapshots are stamped with {@code ticker}. */
  public StaticLoadView(Ticker ticker, double noiseFloor) {
    this.ticker = requireNonNull(ticker, "ticker");
    this.noiseFloor = noiseFloor;
  }

  /** Publishes a snapshot observed now. */
  public void update(double ownLoad, double meanLoad, int readyMembers) {
    latest = LoadSnapshot.of(ownLoad, meanLoad, readyMembers, ticker.nanoTime());
  }

  /** Publishes {@code snapshot} as it is. */
  public void set(LoadSnapshot snapshot) {
    latest = requireNonNull(snapshot, "snapshot");
  }

  @Override
  public LoadSnapshot latest() {
    return latest;
  }

  @Override
  public double noiseFloor() {
    return noiseFloor;
  }
}
