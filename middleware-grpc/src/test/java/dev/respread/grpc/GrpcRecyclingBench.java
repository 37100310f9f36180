package dev.respread.grpc;

import dev.respread.RecyclingConfig;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Throughput and failed calls of unary gRPC calls on one pick_first channel, with and without
 * respread, at several request caps. Not a test: run it by hand (see BENCHMARKS-section.md).
 *
 * <p>System properties (not {@code exec.args}, which would also reach the build's {@code npm ci}):
 * {@code bench.calls}, calls per configuration (default 100000); {@code bench.threads}, client
 * threads (default 16).
 */
@SuppressWarnings("try")
public final class GrpcRecyclingBench {
  private GrpcRecyclingBench() {}

  public static void main(String[] args) throws Exception {
    int calls = Integer.getInteger("bench.calls", 100_000);
    int threads = Integer.getInteger("bench.threads", 16);
    System.out.printf("%d unary calls (64-byte responses) per configuration, %d client threads,"
        + " one pick_first channel%n", calls, threads);
    System.out.println("| configuration | calls/s | failed | connections drained |");
    System.out.println("| --- | --- | --- | --- |");
    // The first round warms the JIT up and is not printed.
    runPlain(calls / 4, threads, false);
    runPlain(calls, threads, true);
    RecyclingConfig.Builder base = RecyclingConfig.builder()
        .maxConnectionAge(Duration.ofHours(1))
        .maxDrainsPerSecond(100_000)
        .maxDrainingFraction(1.0);
    run("respread wired, RESPREAD_ENABLED=false", base.enabled(false).build(), calls, threads);
    base.enabled(true);
    run("respread, age 1 h only", base.build(), calls, threads);
    run("respread, maxRequestsPerConnection 1000", base.maxRequestsPerConnection(1000).build(),
        calls, threads);
    run("respread, maxRequestsPerConnection 100", base.maxRequestsPerConnection(100).build(),
        calls, threads);
    run("respread, maxRequestsPerConnection 10", base.maxRequestsPerConnection(10).build(),
        calls, threads);
  }

  private static void runPlain(int calls, int threads, boolean print) throws Exception {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(EchoService.definition("a", timer)).build().start();
    try (ClientChannels client = new ClientChannels(server.getPort(), "pick_first")) {
      Result r = measure(client, calls, threads);
      if (print) {
        System.out.printf("| grpc-netty without respread | %.0f | %d | 0 |%n", r.rate, r.failed);
      }
    } finally {
      server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      timer.shutdownNow();
    }
  }

  private static void run(String name, RecyclingConfig config, int calls, int threads)
      throws Exception {
    try (RecyclingServer server = RecyclingServer.start(ServerFlavour.GRPC_NETTY, "a", config);
        ClientChannels client = new ClientChannels(server.port(), "pick_first")) {
      Result r = measure(client, calls, threads);
      System.out.printf("| %s | %.0f | %d | %.0f |%n", name, r.rate, r.failed, server.drained());
    }
  }

  private static Result measure(ClientChannels client, int calls, int threads) throws Exception {
    long start = System.nanoTime();
    Traffic traffic = new Traffic().unary(client.channel, threads, calls / threads, 64).run();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new Result(traffic.succeeded.get() / seconds, traffic.failures.size());
  }

  private record Result(double rate, int failed) {}
}
