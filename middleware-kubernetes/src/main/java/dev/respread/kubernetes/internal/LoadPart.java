package dev.respread.kubernetes.internal;

import java.time.Duration;

/** The {@link ViewPart} that reads the load, polled on a thread of its own. */
public interface LoadPart extends ViewPart {

  /** The window over which the load is measured; see {@code LoadView.measurementWindow()}. */
  Duration measurementWindow();

  /** Reads now, on the part's thread, instead of waiting for the next period. */
  void refreshNow();
}
