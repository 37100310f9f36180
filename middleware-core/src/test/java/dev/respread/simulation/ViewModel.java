package dev.respread.simulation;

import java.time.Duration;

/**
 * How the pods' shared view sees the Service in a simulation.
 *
 * <ul>
 *   <li>{@link #exact()}: every second, each pod's request rate over that second, all members at
 *       once: the in-process demo's view, and the best any view can do.</li>
 *   <li>{@link #prometheus}: what a Prometheus view on {@code respread_requests_total} gives. Each
 *       pod's counter is scraped every {@code scrape}, at an offset of its own within the
 *       interval; a pod becomes a target {@code discovery} after it joins the Service and a
 *       member at its first scrape; a member's load is {@code rate()} over the last
 *       {@code window} (the first and last samples in it, so a member with fewer than two
 *       samples has none yet and is left out of the mean); each pod's view queries every
 *       {@code scrape}, at an offset of its own.</li>
 * </ul>
 */
final class ViewModel {
  final String label;
  /** Zero for the exact view. */
  final Duration scrape;
  final Duration window;
  final Duration discovery;

  private ViewModel(String label, Duration scrape, Duration window, Duration discovery) {
    this.label = label;
    this.scrape = scrape;
    this.window = window;
    this.discovery = discovery;
  }

  static ViewModel exact() {
    return new ViewModel("exact 1s", Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }

  static ViewModel prometheus(Duration scrape, Duration window) {
    return new ViewModel("prometheus " + scrape.toSeconds() + "s/" + window.toSeconds() + "s",
        scrape, window, scrape);
  }

  boolean exactView() {
    return scrape.isZero();
  }
}
