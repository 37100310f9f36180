package dev.respread.demo;

import com.sun.net.httpserver.HttpServer;
import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import dev.respread.grpc.GrpcRecycling;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One pod of the demo's Prometheus view, as its own JVM, wired as the README tells a user: a
 * grpc-java server on Netty with {@code GrpcRecycling.configure}, a recycler from
 * {@code ConnectionRecycler.fromEnvironment()}, and Micrometer's Prometheus registry in the global
 * registry, served at {@code /metrics}. With {@code RESPREAD_LOAD_SOURCE=prometheus} its load
 * view is {@code PrometheusLoadView}, found through {@code ServiceLoader}.
 *
 * <pre>
 * POD_NAME=pod-1 POD_NAMESPACE=demo RESPREAD_SERVICE_NAME=hello RESPREAD_LOAD_SOURCE=prometheus \
 *     RESPREAD_PROMETHEUS_URL=http://127.0.0.1:9090 \
 *     java -cp 'demo/target/respread-demo.jar:demo/target/lib/*' dev.respread.demo.PodMain
 * </pre>
 *
 * <p>It listens on loopback, on {@code DEMO_GRPC_PORT}, {@code DEMO_HTTP_PORT} ({@link
 * PodHttpServer}: HTTP/1.1 and h2c on plain Netty, with respread's Netty handlers on the same
 * recycler) and {@code DEMO_METRICS_PORT} (default 0: any free port), and prints
 * {@code ready grpc=<port> http=<port> metrics=<port>} once all listen. Besides
 * respread's meters, {@code /metrics} has {@code demo_calls_total}, the calls this pod served, and
 * Micrometer's processor meters ({@code process_cpu_usage}, {@code system_cpu_count}).
 * {@code ScaleOutScenario} starts these pods under {@code --view prometheus}.
 */
public final class PodMain {
  static final String READY = "ready";
  static final String GRPC_PORT = "DEMO_GRPC_PORT";
  static final String METRICS_PORT = "DEMO_METRICS_PORT";
  static final String HTTP_PORT = "DEMO_HTTP_PORT";
  /**
   * {@code true}: on SIGTERM, stop as the README tells a user to, through
   * {@code recycler.shutdown()} (its delay, then every connection drained), then the servers.
   * Otherwise the pod closes at once: the scale-out demo stops its pods only after its clients.
   */
  static final String DRAIN_ON_STOP = "DEMO_DRAIN_ON_STOP";
  /** The application's own count of calls served: what the demo's timeline shows. */
  static final String CALLS = "demo.calls";

  private PodMain() {}

  /** Starts the pod; it runs until the JVM is stopped. */
  public static void main(String[] args) throws IOException, InterruptedException {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Metrics.addRegistry(prometheus);
    // The JVM's CPU, as Spring Boot's actuator binds it by default: the dashboard's CPU panel
    // falls back to it where cAdvisor's container_cpu_usage_seconds_total is not scraped.
    new ProcessorMetrics().bindTo(Metrics.globalRegistry);
    HttpServer metrics = HttpServer.create(
        new InetSocketAddress("127.0.0.1", port(METRICS_PORT)), 0);
    metrics.createContext("/metrics", exchange -> {
      byte[] body = prometheus.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    metrics.start();

    // One recycler for the pod's two servers: the load view's unit is the pod (its requests,
    // gRPC and HTTP together), so one controller acts on it, with one drain budget.
    ConnectionRecycler recycler = ConnectionRecycler.fromEnvironment();
    AtomicLong served = new AtomicLong();
    FunctionCounter.builder(CALLS, served, AtomicLong::get)
        .description("Hello calls this pod served")
        .register(Metrics.globalRegistry);
    String podName = System.getenv().getOrDefault("POD_NAME", "pod");
    AtomicLong connectionIds = new AtomicLong();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port(GRPC_PORT)))
            .addTransportFilter(HelloService.connectionIds(podName, connectionIds))
            .intercept(HelloService.connectionHeader());
    // The demo's stand-in for kube-apiserver's --goaway-chance and for closing every connection
    // after one call: not respread, which is off in those modes.
    double chance = GoAwayChance.parse(GoAwayChance.VARIABLE,
        System.getenv().getOrDefault(GoAwayChance.VARIABLE, "0"));
    GoAwayChance goAways = chance > 0 ? new GoAwayChance(chance) : null;
    if (goAways != null) {
      FunctionCounter.builder(GoAwayChance.COUNTER, goAways, GoAwayChance::goAways)
          .description("Connections the demo's GOAWAY chance ended")
          .register(Metrics.globalRegistry);
    }
    Server server = (goAways == null ? GrpcRecycling.configure(builder, recycler)
            : goAways.configure(builder, recycler))
        .addService(HelloService.definition(podName, served))
        .build()
        .start();
    PodHttpServer http = new PodHttpServer(new InetSocketAddress("127.0.0.1", port(HTTP_PORT)),
        recycler, podName, connectionIds, served);
    boolean drainOnStop = Boolean.parseBoolean(System.getenv(DRAIN_ON_STOP));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        if (drainOnStop) {
          stopGracefully(recycler, server);
        }
      } finally {
        recycler.close();
        server.shutdownNow();
        http.close();
        try {
          server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (goAways != null) {
          goAways.close();
        }
        metrics.stop(0);
      }
    }, "pod-stop"));
    System.out.printf("%s grpc=%d http=%d metrics=%d%n", READY, server.getPort(), http.port(),
        metrics.getAddress().getPort());
    System.out.flush();
    server.awaitTermination();
  }

  /**
   * What the README tells a user to do on SIGTERM: {@code recycler.shutdown()} waits
   * {@code RESPREAD_SHUTDOWN_DELAY} (kube-proxy drops the endpoint meanwhile), drains every
   * connection and completes when they have closed (after the grace at the latest); then the
   * servers stop, with nothing left on them.
   */
  private static void stopGracefully(ConnectionRecycler recycler, Server server) {
    long startNanos = System.nanoTime();
    System.out.println("SIGTERM: draining");
    RecyclingConfig c = recycler.config();
    long limit = c.shutdownDelay().plus(c.maxConnectionAgeGrace()).toMillis() + 5_000;
    try {
      recycler.shutdown().get(limit, TimeUnit.MILLISECONDS);
      server.shutdown();
      server.awaitTermination(5, TimeUnit.SECONDS);
      System.out.printf("SIGTERM: drained in %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      System.out.println("SIGTERM: drain did not complete: " + e);
    }
    System.out.flush();
  }

  private static int port(String variable) {
    String v = System.getenv().getOrDefault(variable, "0");
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          String.format("%s: \"%s\" (expected: a port number)", variable, v), e);
    }
  }
}
