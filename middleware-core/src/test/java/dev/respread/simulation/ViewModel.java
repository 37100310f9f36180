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
 *       {@code scrape}, at an offset of its own. With {@code endpointSlices}, the members come from
 *       an EndpointSlice watch instead: a pod is a member a second after it joins.</li>
 * </ul>
 */
final class ViewModel {
  final String label;
  /** Zero for the exact view. */
  final Duration scrape;
  final Duration window;
  final Duration discovery;
  /** Members from an EndpointSlice watch rather than from the targets that are up. */
  final boolean endpointSlices;

  private ViewModel(String label, Duration scrape, Duration window, Duration discovery,
      boolean endpointSlices) {
    this.label = label;
    this.scrape = scrape;
    this.window = window;
    this.discovery = discovery;
    this.endpointSlices = endpointSlices;
  }

  static ViewModel exact() {
    return new ViewModel("exact 1s", Duration.ZERO, Duration.ZERO, Duration.ZERO, false);
  }

  static ViewModel prometheus(Duration scrape, Duration window) {
    return new ViewModel("prometheus " + scrape.toSeconds() + "s/" + window.toSeconds() + "s",
        scrape, window, DISCOVERY, false);
  }

  /** Load from Prometheus, members from an EndpointSlice watch. */
  static ViewModel prometheusWithEndpointSlices(Duration scrape, Duration window) {
    return new ViewModel("prometheus " + scrape.toSeconds() + "s/" + window.toSeconds()
        + "s + EndpointSlices", scrape, window, DISCOVERY, true);
  }

  /**
   * How long after a pod joins the Service Prometheus knows it as a target: a Kubernetes or file
   * service discovery watches, and applies what it sees within seconds.
   */
  static final Duration DISCOVERY = Duration.ofSeconds(5);
  /** How long after joining the Service a pod is a member. */
  static final Duration ENDPOINT_SLICE_LAG = Duration.ofSeconds(1);

  boolean exactView() {
    return scrape.isZero();
  }
}
