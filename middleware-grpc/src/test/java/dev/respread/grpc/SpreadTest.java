package dev.respread.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.RecyclingConfig;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two grpc-netty servers behind a balancer that, like kube-proxy, picks a server per TCP
 * connection at random. Clients use pick_first, so each one is pinned to the server its one
 * connection landed on, unless respread recycles that connection.
 */
class SpreadTest {
  private static final int CLIENTS = 4;
  private static final int CALLS_PER_CLIENT = 200;
  private static final long BALANCER_SEED = 42;

  private final Resources resources = new Resources();

  @AfterEach
  void tearDown() throws Exception {
    resources.close();
  }

  @Test
  void withoutRespreadEachPickFirstClientStaysOnOneServer() throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    resources.add(timer::shutdownNow);
    List<Integer> ports = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(EchoService.definition(name, timer)).build().start();
      resources.add(() -> server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS));
      ports.add(server.getPort());
    }

    List<Map<String, Integer>> perClient = callThroughBalancer(ports);

    System.out.println("without respread, calls per server per client: " + perClient);
    for (Map<String, Integer> landed : perClient) {
      assertThat(landed).as("servers one client's calls reached").hasSize(1);
    }
  }

  @Test
  void withRespreadPickFirstClientsSpreadAcrossServers() throws Exception {
    RecyclingConfig config = RecyclingServer.fastRecycling()
        .maxConnectionAge(java.time.Duration.ofMinutes(10))
        .maxRequestsPerConnection(10)
        .build();
    List<Integer> ports = new ArrayList<>();
    for (String name : List.of("a", "b")) {
      RecyclingServer server = RecyclingServer.start(ServerFlavour.GRPC_NETTY, name, config);
      resources.add(server);
      ports.add(server.port());
    }

    List<Map<String, Integer>> perClient = callThroughBalancer(ports);

    Map<String, Integer> total = new HashMap<>();
    for (Map<String, Integer> landed : perClient) {
      assertThat(landed).as("servers one client's calls reached").containsOnlyKeys("a", "b");
      landed.forEach((server, calls) -> total.merge(server, calls, Integer::sum));
    }
    // About 80 connections of about 10 calls, each sent to a or b with probability 1/2: the
    // share of a is a mean over ~80 coin flips, standard deviation about 0.056. 0.5 ± 0.2 is
    // more than 3.5 standard deviations; without recycling, 4 clients put everything on the
    // same server with probability 1/8.
    System.out.println("with respread, calls per server per client: " + perClient);
    double shareOfA = total.get("a") / (double) (CLIENTS * CALLS_PER_CLIENT);
    assertThat(shareOfA).as("share of calls on server a, of " + total).isBetween(0.3, 0.7);
  }

  /** Runs the clients through a fresh balancer; returns, per client, calls per server. */
  private List<Map<String, Integer>> callThroughBalancer(List<Integer> ports) throws Exception {
    RandomL4Balancer balancer = new RandomL4Balancer(ports, BALANCER_SEED);
    resources.add(balancer);
    List<Map<String, Integer>> perClient = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int c = 0; c < CLIENTS; c++) {
      ClientChannels client = new ClientChannels(balancer.port(), "pick_first");
      resources.add(client);
      Map<String, Integer> landed = new HashMap<>();
      perClient.add(landed);
      Thread t = new Thread(() -> {
        for (int i = 0; i < CALLS_PER_CLIENT; i++) {
          try {
            landed.merge(EchoService.serverOf(EchoService.unary(client.channel, 0)), 1,
                Integer::sum);
          } catch (RuntimeException e) {
            failures.add(e);
          }
        }
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(TimeUnit.MINUTES.toMillis(2));
    }
    assertThat(failures).as("failed calls").isEmpty();
    for (Map<String, Integer> landed : perClient) {
      assertThat(landed.values().stream().mapToInt(Integer::intValue).sum())
          .as("calls made by one client").isEqualTo(CALLS_PER_CLIENT);
    }
    return perClient;
  }
}
