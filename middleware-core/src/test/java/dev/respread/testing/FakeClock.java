package dev.respread.testing;

import dev.respread.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A clock and scheduler that only move when a test says so. Tasks run on the calling thread,
 * in time order, as {@link #advance(Duration)} passes their due time. Not thread-safe: a test
 * drives it from one thread.
 */
public final class FakeClock implements Ticker {
  private long now = 1_000_000_000_000L;
  private long sequence;
  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private final Scheduler scheduler = new Scheduler();

  @Override
  public long nanoTime() {
    return now;
  }

  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Moves time forward by {@code d}, running every task that falls due on the way. */
  public void advance(Duration d) {
    long target = now + d.toNanos();
    while (true) {
      Task<?> next = queue.peek();
      if (next == null || next.dueAt > target) {
        break;
      }
      queue.poll();
      now = Math.max(now, next.dueAt);
      next.runTask();
    }
    now = target;
  }

  public int pendingTasks() {
    return (int) queue.stream().filter(t -> !t.isCancelled()).count();
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    long dueAt;
    final long period;
    final long seq = sequence++;

    Task(Callable<V> c, long dueAt, long period) {
      super(c);
      this.dueAt = dueAt;
      this.period = period;
    }

    void runTask() {
      if (period == 0) {
        run();
      } else if (runAndReset()) {
        dueAt += period;
        queue.add(this);
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueAt - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task<?> t = (Task<?>) o;
      int c = Long.compare(dueAt, t.dueAt);
      return c != 0 ? c : Long.compare(seq, t.seq);
    }
  }

  private final class Scheduler extends AbstractExecutorService
      implements ScheduledExecutorService {
    private boolean shutdown;

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      return add(new Task<>(() -> {
        command.run();
        return null;
      }, now + unit.toNanos(delay), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
      return add(new Task<>(callable, now + unit.toNanos(delay), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay,
        long period, TimeUnit unit) {
      return add(new Task<>(() -> {
        command.run();
        return null;
      }, now + unit.toNanos(initialDelay), unit.toNanos(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay,
        long delay, TimeUnit unit) {
      return scheduleAtFixedRate(command, initialDelay, delay, unit);
    }

    private <V> Task<V> add(Task<V> t) {
      queue.add(t);
      return t;
    }

    @Override
    public void execute(Runnable command) {
      schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
      shutdown = true;
      List<Runnable> pending = new ArrayList<>(queue);
      queue.clear();
      return pending;
    }

    @Override
    public boolean isShutdown() {
      return shutdown;
    }

    @Override
    public boolean isTerminated() {
      return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
      return true;
    }

    @Override
    public <T> List<java.util.concurrent.Future<T>> invokeAll(
        Collection<? extends Callable<T>> tasks) {
      throw new UnsupportedOperationException();
    }
  }
}
