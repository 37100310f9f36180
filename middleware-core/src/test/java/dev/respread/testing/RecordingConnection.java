package dev.respread.testing;

import dev.respread.DrainableConnection;
import dev.respread.RecycleReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A connection that records what the engine asked of it. */
public final class RecordingConnection implements DrainableConnection {
  public final List<RecycleReason> drains = new ArrayList<>();
  public final List<Duration> graces = new ArrayList<>();
  public int forceCloses;
  public boolean closed;
  /** Set by tests that want to know whether a drain reached a closed connection. */
  public boolean drainedAfterClose;

  @Override
  public synchronized void drain(RecycleReason reason, Duration grace) {
    if (closed) {
      drainedAfterClose = true;
    }
    drains.add(reason);
    graces.add(grace);
  }

  @Override
  public synchronized void forceClose() {
    forceCloses++;
  }

  public synchronized RecycleReason onlyDrain() {
    if (drains.size() != 1) {
      throw new AssertionError("expected exactly one drain, got " + drains);
    }
    return drains.get(0);
  }
}
