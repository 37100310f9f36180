package dev.respread.servlet.internal;

import dev.respread.ConnectionRecycler;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;

/**
 * One {@code T} per recycler, shared by every filter and handler built on that recycler, so that
 * a TCP connection reached through two deployments, two contexts, or a handler and a filter is
 * registered once: tracked twice, the first entry to drain would end the connection under the
 * other's requests, and opens and drains would be counted twice.
 *
 * <p>Both the recycler and the shared value are held weakly: the value lives as long as a
 * filter or handler uses it, and it may reference the recycler without pinning the entry.
 */
final class PerRecycler<T> {
  private final Map<ConnectionRecycler, WeakReference<T>> shared = new WeakHashMap<>();
  private final Function<ConnectionRecycler, T> factory;

  PerRecycler(Function<ConnectionRecycler, T> factory) {
    this.factory = factory;
  }

  /** The value for {@code recycler}, created on first use. Called at set-up, not per request. */
  synchronized T of(ConnectionRecycler recycler) {
    WeakReference<T> ref = shared.get(recycler);
    T value = ref == null ? null : ref.get();
    if (value == null) {
      value = factory.apply(recycler);
      shared.put(recycler, new WeakReference<>(value));
    }
    return value;
  }
}
