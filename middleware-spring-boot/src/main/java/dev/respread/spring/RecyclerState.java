package dev.respread.spring;

import dev.respread.ConnectionRecycler;
import dev.respread.LoadSnapshot;
import dev.respread.RecyclingConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the health and info endpoints show of a recycler: its settings in brief, its
 * connections, and what its load view last saw.
 */
final class RecyclerState {
  /** No load view: only the age and request rules apply. */
  static final String VIEW_NONE = "none";
  /** The view has not read the Service's load yet, or every read failed. */
  static final String VIEW_WAITING = "waiting";
  /** The view's load is younger than {@code load-max-staleness}: the controller uses it. */
  static final String VIEW_FRESH = "fresh";
  /** The view's load is older: the controller falls back to the age and request rules. */
  static final String VIEW_STALE = "stale";

  private RecyclerState() {}

  /**
   * The view's state, one of the {@code VIEW_*} values. Snapshot times are compared with
   * {@link System#nanoTime()}, the ticker of every recycler built outside tests.
   */
  static String viewState(ConnectionRecycler recycler) {
    Optional<LoadSnapshot> latest = recycler.latestLoad();
    if (latest.isEmpty()) {
      return VIEW_NONE;
    }
    LoadSnapshot s = latest.get();
    if (!s.hasLoad()) {
      return VIEW_WAITING;
    }
    long age = System.nanoTime() - s.loadObservedAtNanos();
    return age > recycler.config().loadMaxStaleness().toNanos() ? VIEW_STALE : VIEW_FRESH;
  }

  static Map<String, Object> details(ConnectionRecycler recycler) {
    RecyclingConfig config = recycler.config();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("enabled", config.enabled());
    details.put("openConnections", recycler.openConnections());
    details.put("drainingConnections", recycler.drainingConnections());
    details.put("loadSource", config.loadSource().configName());
    String state = viewState(recycler);
    details.put("view", state);
    recycler.latestLoad().filter(LoadSnapshot::hasLoad).ifPresent(s -> {
      details.put("ownLoad", s.ownLoad());
      details.put("meanLoad", s.meanLoad());
      details.put("loadAge",
          Duration.ofNanos(System.nanoTime() - s.loadObservedAtNanos()).toMillis() + "ms");
    });
    recycler.latestLoad().filter(LoadSnapshot::hasMembers).ifPresent(s -> {
      details.put("readyMembers", s.readyMembers());
      details.put("reportingMembers", s.reportingMembers());
    });
    return details;
  }

  static Map<String, Object> settings(RecyclingConfig config) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("enabled", config.enabled());
    info.put("maxConnectionAge", config.maxConnectionAge().toString());
    info.put("maxConnectionAgeGrace", config.maxConnectionAgeGrace().toString());
    info.put("maxRequestsPerConnection", config.maxRequestsPerConnection());
    info.put("loadSource", config.loadSource().configName());
    info.put("shutdownDelay", config.shutdownDelay().toString());
    return info;
  }
}
