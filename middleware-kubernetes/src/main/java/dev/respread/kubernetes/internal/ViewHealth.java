package dev.respread.kubernetes.internal;

import static java.util.Objects.requireNonNull;

import dev.respread.internal.RecyclerMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The health of one load view, made of the health of each thing it reads (its channels, such as
 * {@code endpointslices} and {@code metrics.k8s.io}). It logs a channel's change of state once,
 * not on every refresh, counts failures, and publishes the view's state as gauges.
 *
 * <p>Thread-safe: channels are reported from informer and refresh threads.
 */
public final class ViewHealth {
  /**
   * Gauge: 1 for the view's current state, 0 for the others; tags {@code source}, {@code view},
   * {@code state}.
   */
  public static final String STATE = RecyclerMetrics.LOAD_VIEW_STATE;
  /** Counter of failed reads; tags {@code source}, {@code view}, {@code cause}. */
  public static final String FAILURES = RecyclerMetrics.LOAD_VIEW_FAILURES;
  /** The tag that tells apart views of one source reporting to one registry. */
  public static final String VIEW_TAG = "view";

  /** Makes finding a free {@code view} tag and registering under it one step across views. */
  private static final Object REGISTRATION = new Object();

  private static final Logger logger = System.getLogger(ViewHealth.class.getName());

  /** The state of a view. */
  public enum State {
    /** At least one channel has not answered yet, and none has failed. */
    STARTING,
    /** Every channel answered on its last read. */
    OK,
    /** At least one channel failed on its last read; the view serves what it last had. */
    FAILING;

    String tagValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String source;
  private final String name;
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  /** Per channel: null while starting, "" when ok, else the failure message. */
  private final Map<String, String> channels = new LinkedHashMap<>();
  private final Map<String, FailureCause> causes = new LinkedHashMap<>();
  private final EnumMap<FailureCause, Counter> failures = new EnumMap<>(FailureCause.class);
  private volatile State state = State.STARTING;

  /**
   * @param source the view's {@code source} tag and log name, such as {@code kubernetes}
   * @param name the view's {@code view} tag, as its builder was given it
   * @param channels what the view reads, named as in log messages
   * @param registry where the gauges and counters go, or {@code null} for none
   */
  public ViewHealth(String source, String name, List<String> channels, MeterRegistry registry) {
    this.source = requireNonNull(source, "source");
    this.registry = registry;
    for (String c : channels) {
      this.channels.put(c, null);
    }
    if (registry == null) {
      this.name = requireNonNull(name, "name");
      return;
    }
    synchronized (REGISTRATION) {
      // Micrometer returns the meter already registered under the same name and tags, so a
      // second live view with the same tags would report the first one's state. Two recyclers
      // created from the same environment build two such views; the second becomes "name-2".
      // Closed views remove their meters, so the tag values stay as few as the live views.
      this.name = freeName(registry, source, requireNonNull(name, "name"));
      for (State s : State.values()) {
        meters.add(Gauge.builder(STATE, this, h -> h.state == s ? 1.0 : 0.0)
            .tags("source", source, VIEW_TAG, this.name, "state", s.tagValue())
            .description("1 for the load view's current state (starting, ok, failing), else 0")
            .strongReference(true)
            .register(registry));
      }
      for (FailureCause c : FailureCause.values()) {
        Counter counter = Counter.builder(FAILURES)
            .tags("source", source, VIEW_TAG, this.name, "cause", c.tagValue())
            .description("Reads of the load view's sources that failed, by cause")
            .register(registry);
        meters.add(counter);
        failures.put(c, counter);
      }
    }
  }

  private static String freeName(MeterRegistry registry, String source, String name) {
    String candidate = name;
    for (int i = 2; registry.find(STATE).tags("source", source, VIEW_TAG, candidate).meter()
        != null; i++) {
      candidate = name + '-' + i;
    }
    return candidate;
  }

  /** The {@code view} tag: the builder's name, with a suffix if another live view had it. */
  public String name() {
    return name;
  }

  /** Removes the view's meters from the registry, so that a closed view leaves no gauge. */
  public void close() {
    if (registry != null) {
      synchronized (REGISTRATION) {
        meters.forEach(registry::remove);
      }
    }
  }

  /** The view's state now. */
  public State state() {
    return state;
  }

  /** The cause of {@code channel}'s last failure, or {@code null} if its last read succeeded. */
  public synchronized FailureCause cause(String channel) {
    return causes.get(channel);
  }

  /** Records a successful read of {@code channel}; logs once if it had been failing. */
  public synchronized void ok(String channel) {
    String before = channels.put(checked(channel), "");
    causes.remove(channel);
    if (before != null && !before.isEmpty()) {
      logger.log(Level.INFO, "respread {0} load view \"{1}\": {2} readable again", source, name,
          channel);
    }
    update();
  }

  /**
   * Records a failed read of {@code channel}. Logs once per change of cause, so a view that fails
   * every few seconds for an hour writes one line, not a thousand.
   */
  public synchronized void failed(String channel, FailureCause cause, String detail) {
    checked(channel);
    FailureCause before = causes.put(channel, cause);
    channels.put(channel, cause.tagValue() + ": " + detail);
    Counter counter = failures.get(cause);
    if (counter != null) {
      counter.increment();
    }
    if (before != cause) {
      logger.log(Level.WARNING, "respread {0} load view \"{1}\": cannot read {2} ({3}: {4}); the "
          + "load controller uses the last values until they are stale, then recycles by age "
          + "and requests only", source, name, channel, cause.tagValue(), detail);
    }
    update();
  }

  private String checked(String channel) {
    if (!channels.containsKey(channel)) {
      throw new IllegalArgumentException("channel: " + channel + " (expected: one of "
          + channels.keySet() + ')');
    }
    return channel;
  }

  private void update() {
    State s = State.OK;
    for (String v : channels.values()) {
      if (v == null) {
        s = s == State.OK ? State.STARTING : s;
      } else if (!v.isEmpty()) {
        s = State.FAILING;
      }
    }
    state = s;
  }

  @Override
  public synchronized String toString() {
    return source + " \"" + name + "\" " + state.tagValue() + ' ' + channels;
  }
}
