package dev.respread.demo;

import com.sun.net.httpserver.HttpServer;
import dev.respread.ConnectionRecycler;
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
import java.util.concurrent.TimeUnit;
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
 * <p>It listens on loopback, on {@code DEMO_GRPC_PORT} and {@code DEMO_METRICS_PORT} (default 0:
 * any free port), and prints {@code ready grpc=<port> metrics=<port>} once both listen. Besides
 * respread's meters, {@code /metrics} has {@code demo_calls_total}, the calls this pod served, and
 * Micrometer's processor meters ({@code process_cpu_usage}, {@code system_cpu_count}).
 * {@code ScaleOutScenario} starts these pods under {@code --view prometheus}.
 */
public final class PodMain {
  static final String READY = "ready";
  static final String GRPC_PORT = "DEMO_GRPC_PORT";
  static final String METRICS_PORT = "DEMO_METRICS_PORT";
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

    ConnectionRecycler recycler = ConnectionRecycler.fromEnvironment();
    AtomicLong served = new AtomicLong();
    FunctionCounter.builder(CALLS, served, AtomicLong::get)
        .description("Hello calls this pod served")
        .register(Metrics.globalRegistry);
    Server server = GrpcRecycling.configure(
            NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port(GRPC_PORT))),
            recycler)
        .addService(HelloService.definition(System.getenv().getOrDefault("POD_NAME", "pod"),
            served))
        .build()
        .start();
    // The demo stops its pods only after its clients have stopped, so there is nothing left to
    // hand over: close at once rather than through recycler.shutdown() and its delay.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      recycler.close();
      server.shutdownNow();
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      metrics.stop(0);
    }, "pod-stop"));
    System.out.printf("%s grpc=%d metrics=%d%n", READY, server.getPort(),
        metrics.getAddress().getPort());
    System.out.flush();
    server.awaitTermination();
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
