package dev.respread.kubernetes.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * A {@link LoadPart} read by polling, every interval, on one daemon thread of its own, so that a
 * read that hangs holds up neither the view's {@code latest()} nor the other part.
 */
abstract class PolledLoadPart implements LoadPart {
  private final String channel;
  private final Duration interval;
  private final Refresher refresher;
  /** Set by {@link #start}, before the first read. */
  Sink sink;
  /** Set by {@link #start}, before the first read. */
  ViewHealth health;

  /**
   * @param channel what the part reads, as named in logs and failure counts
   * @param thread the name of its thread, after {@code respread-}
   */
  PolledLoadPart(String channel, String thread, Duration interval) {
    this.channel = requireNonNull(channel, "channel");
    this.interval = requireNonNull(interval, "interval");
    this.refresher = new Refresher(thread);
  }

  /** One read: reports to {@link #sink} and {@link #health}. */
  abstract void read();

  @Override
  public final List<String> channels() {
    return List.of(channel);
  }

  @Override
  public final void start(Sink sink, ViewHealth health) {
    this.sink = sink;
    this.health = health;
    refresher.every(interval, this::read);
  }

  @Override
  public final void refreshNow() {
    refresher.once(this::read);
  }

  @Override
  public final void close() {
    refresher.close();
  }
}
