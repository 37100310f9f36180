package dev.respread.simulation;

import dev.respread.RecyclingConfig;
import java.time.Duration;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The scenarios issue 2 asks for. Each takes a seed, which draws the client weights and every
 * random choice of the run; {@link #TABLE_SEED} is the one the printed table uses.
 */
final class Scenarios {
  /** The seed of the runs in the printed table. */
  static final long TABLE_SEED = 1;
  /** Seconds of warm-up before a scale-out, so that it hits a Service in its steady state. */
  static final long WARM_UP_SECONDS = 120;

  private Scenarios() {}

  /** A Prometheus view scraping every second over a 10 second window, as in the demo. */
  static final ViewModel FAST_PROMETHEUS =
      ViewModel.prometheus(Duration.ofSeconds(1), Duration.ofSeconds(10));
  /** A Prometheus view with production settings: a 15 second scrape, a 1 minute window. */
  static final ViewModel PROMETHEUS =
      ViewModel.prometheus(Duration.ofSeconds(15), Duration.ofMinutes(1));
  /** The same load, with members from an EndpointSlice watch, wherever the API is reachable. */
  static final ViewModel PROMETHEUS_ENDPOINT_SLICES =
      ViewModel.prometheusWithEndpointSlices(Duration.ofSeconds(15), Duration.ofMinutes(1));

  /** 80 clients of uneven weight, 20 per pod once scaled out. */
  static Scenario scaleOut2To4(long seed) {
    return scaleOut(2, 4, seed);
  }

  /** 200 clients of uneven weight, 20 per pod once scaled out. */
  static Scenario scaleOut5To10(long seed) {
    return scaleOut(5, 10, seed);
  }

  private static Scenario scaleOut(int from, int to, long seed) {
    return scaleOut(from, to, seed, ViewModel.exact());
  }

  /** 2 -> 4 through a Prometheus view scraping every second over 10 seconds. */
  static Scenario scaleOut2To4FastPrometheus(long seed) {
    return scaleOut(2, 4, seed, FAST_PROMETHEUS);
  }

  /** 2 -> 4 through a Prometheus view with a 15 second scrape and a 1 minute window. */
  static Scenario scaleOut2To4Prometheus(long seed) {
    return scaleOut(2, 4, seed, PROMETHEUS);
  }

  /** 2 -> 4, the production Prometheus view, members from EndpointSlices. */
  static Scenario scaleOut2To4PrometheusEndpointSlices(long seed) {
    return scaleOut(2, 4, seed, PROMETHEUS_ENDPOINT_SLICES);
  }

  /** 5 -> 10 through a Prometheus view with a 15 second scrape and a 1 minute window. */
  static Scenario scaleOut5To10Prometheus(long seed) {
    return scaleOut(5, 10, seed, PROMETHEUS);
  }

  /** 5 -> 10, the production Prometheus view, members from EndpointSlices. */
  static Scenario scaleOut5To10PrometheusEndpointSlices(long seed) {
    return scaleOut(5, 10, seed, PROMETHEUS_ENDPOINT_SLICES);
  }

  private static Scenario scaleOut(int from, int to, long seed, ViewModel view) {
    String suffix = view.exactView() ? "" : ", " + view.label;
    return Scenario.builder("scale-out " + from + "->" + to + suffix)
        .pods(from).scaleOutTo(to, WARM_UP_SECONDS)
        .unevenClients(20 * to, seed)
        .view(view)
        .seed(seed)
        .build();
  }

  /**
   * A Service larger than one machine can run for real: 100 -> 200 pods with 20 000 connections,
   * through the production Prometheus view, for five minutes after the scale-out.
   */
  static Scenario scaleOut100To200(long seed) {
    return Scenario.builder("scale-out 100->200, 20000 connections, "
        + PROMETHEUS_ENDPOINT_SLICES.label)
        .pods(100).scaleOutTo(200, WARM_UP_SECONDS)
        .durationSeconds(300)
        .unevenClients(20_000, seed)
        .view(PROMETHEUS_ENDPOINT_SLICES)
        .seed(seed)
        .build();
  }

  /**
   * Every client doubles its rate over a minute, with no scale-out: through the production
   * Prometheus view the mean lags a window behind every pod's local rate.
   */
  static Scenario trafficRamp(long seed) {
    return Scenario.builder("traffic x2 in 1m, 5 pods, " + PROMETHEUS.label)
        .pods(5)
        .unevenClients(100, seed)
        .ramp(WARM_UP_SECONDS, 60, 2.0)
        .view(PROMETHEUS)
        .seed(seed)
        .build();
  }

  /**
   * Two pods of 500 connections each, every one of them due every 5 seconds, with the default
   * drain budget: 100 age drains a second per pod, ten times what an absolute 10 a second allows.
   */
  static Scenario budgetBinds(long seed) {
    return Scenario.builder("budget binds: age 5s, 1000 clients, 2 pods")
        .pods(2)
        .unevenClients(1000, seed)
        .durationSeconds(1200)
        .respreadConfig(RecyclingConfig.builder().maxConnectionAge(Duration.ofSeconds(5))
            .build())
        .seed(seed)
        .build();
  }

  /** Two clients can only ever keep two of five pods busy; moving them is pure churn. */
  static Scenario twoClientsOnFivePods(long seed) {
    return Scenario.builder("2 clients on 5 pods")
        .pods(5)
        .client(Scenario.Weight.steady(50))
        .client(Scenario.Weight.steady(30))
        .seed(seed)
        .build();
  }

  /**
   * One client sends more than a pod's fair share on its own: wherever it goes, that pod is hot,
   * and moving it moves the hot spot (grpc-java#10948).
   */
  static Scenario heavyClient(long seed) {
    Scenario.Builder b = Scenario.builder("1 heavy + 40 light on 5 pods").pods(5);
    for (int i = 0; i < 40; i++) {
      b.client(Scenario.Weight.steady(10));
    }
    return b.heavyClient(150).seed(seed).build();
  }

  /**
   * Half the clients swing between 2 and 20 requests per second every 30 seconds, in two groups
   * out of phase, so that which pods are hot keeps changing while the connections stay put.
   */
  static Scenario flappingLoad(long seed) {
    Scenario.Builder b = Scenario.builder("flapping load, 5 pods").pods(5);
    for (int i = 0; i < 25; i++) {
      b.client(Scenario.Weight.flapping(2, 20, 30, i % 2 == 0 ? 0 : 30));
      b.client(Scenario.Weight.steady(10));
    }
    return b.seed(seed).build();
  }

  /**
   * Every view counts a fifth member that kube-proxy never routes to, so the mean is a fifth
   * below what the four real pods carry and every one of them looks hot.
   */
  static Scenario ghostMember(long seed) {
    return Scenario.builder("ghost member, 4+1 pods")
        .pods(4).ghostMembers(1)
        .unevenClients(40, seed)
        .seed(seed)
        .build();
  }

  static Scenario singlePod(long seed) {
    return Scenario.builder("single pod")
        .pods(1)
        .unevenClients(20, seed)
        .seed(seed)
        .build();
  }

  static List<LongFunction<Scenario>> all() {
    return List.of(Scenarios::scaleOut2To4, Scenarios::scaleOut5To10,
        Scenarios::scaleOut2To4FastPrometheus, Scenarios::scaleOut2To4Prometheus,
        Scenarios::scaleOut2To4PrometheusEndpointSlices, Scenarios::scaleOut5To10Prometheus,
        Scenarios::scaleOut5To10PrometheusEndpointSlices, Scenarios::scaleOut100To200,
        Scenarios::trafficRamp, Scenarios::budgetBinds,
        Scenarios::twoClientsOnFivePods, Scenarios::heavyClient, Scenarios::flappingLoad,
        Scenarios::ghostMember, Scenarios::singlePod);
  }
}
