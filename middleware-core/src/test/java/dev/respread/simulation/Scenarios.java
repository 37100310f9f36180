package dev.respread.simulation;

import java.util.List;

/** The scenarios issue 2 asks for, with fixed seeds. */
final class Scenarios {
  /** Seconds of warm-up before a scale-out, so that it hits a Service in its steady state. */
  static final long WARM_UP_SECONDS = 120;

  private Scenarios() {}

  static Scenario scaleOut2To4() {
    return Scenario.builder("scale-out 2->4")
        .pods(2).scaleOutTo(4, WARM_UP_SECONDS)
        .unevenClients(40, 24)
        .seed(24)
        .build();
  }

  static Scenario scaleOut5To10() {
    return Scenario.builder("scale-out 5->10")
        .pods(5).scaleOutTo(10, WARM_UP_SECONDS)
        .unevenClients(100, 510)
        .seed(510)
        .build();
  }

  /** Two clients can only ever keep two of five pods busy; moving them is pure churn. */
  static Scenario twoClientsOnFivePods() {
    return Scenario.builder("2 clients on 5 pods")
        .pods(5)
        .client(Scenario.Weight.steady(50))
        .client(Scenario.Weight.steady(30))
        .seed(25)
        .build();
  }

  /**
   * One client sends more than a pod's fair share on its own: wherever it goes, that pod is hot,
   * so moving it only moves the hot spot (grpc-java#10948).
   */
  static Scenario heavyClient() {
    Scenario.Builder b = Scenario.builder("1 heavy + 40 light on 5 pods").pods(5);
    for (int i = 0; i < 40; i++) {
      b.client(Scenario.Weight.steady(10));
    }
    return b.heavyClient(150).seed(41).build();
  }

  /**
   * Half the clients swing between 2 and 20 requests per second every 30 seconds, in two groups
   * out of phase, so that which pods are hot keeps changing while the connections stay put.
   */
  static Scenario flappingLoad() {
    Scenario.Builder b = Scenario.builder("flapping load, 5 pods").pods(5);
    for (int i = 0; i < 25; i++) {
      b.client(Scenario.Weight.flapping(2, 20, 30, i % 2 == 0 ? 0 : 30));
      b.client(Scenario.Weight.steady(10));
    }
    return b.seed(55).build();
  }

  /**
   * Every view counts a fifth member that kube-proxy never routes to, so the mean is a fifth
   * below what the four real pods carry and every one of them looks hot.
   */
  static Scenario ghostMember() {
    return Scenario.builder("ghost member, 4+1 pods")
        .pods(4).ghostMembers(1)
        .unevenClients(40, 41)
        .seed(41)
        .build();
  }

  static Scenario singlePod() {
    return Scenario.builder("single pod")
        .pods(1)
        .unevenClients(20, 1)
        .seed(1)
        .build();
  }

  static List<Scenario> all() {
    return List.of(scaleOut2To4(), scaleOut5To10(), twoClientsOnFivePods(), heavyClient(),
        flappingLoad(), ghostMember(), singlePod());
  }
}
