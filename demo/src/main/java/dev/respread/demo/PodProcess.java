package dev.respread.demo;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A pod of the Prometheus view: {@link PodMain} in a JVM of its own, started with this JVM's
 * class path and the pod's environment, its output in a log file.
 */
final class PodProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final String name;
  private final Process process;
  private final Path log;
  private volatile int grpcPort;
  private volatile int httpPort;
  /** Set once the pod is ready: it is read by the thread that polls the pods. */
  private volatile URI metrics;

  private PodProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts the pod's JVM with {@code environment} on top of this one's, from which every
   * {@code RESPREAD_*} variable is removed: the pod's configuration is {@code environment}
   * alone. Does not wait for it; see {@link #awaitReady()}.
   */
  static PodProcess start(String name, Map<String, String> environment, Path log)
      throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // A few hundred calls per second need neither C2 nor a parallel collector, and on a
        // small machine every pod's JIT threads compete with the clients and Prometheus.
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m", "-XX:-UsePerfData",
        "-cp", System.getProperty("java.class.path"), PodMain.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("RESPREAD_"));
    builder.environment().putAll(environment);
    return new PodProcess(name, builder.start(), log);
  }

  /** Waits until the pod listens, and reads its ports. */
  void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      // Only whole lines: the pod may be writing its ready line as we read.
      String printed = Files.readString(log);
      for (String line : printed.substring(0, printed.lastIndexOf('\n') + 1).split("\n")) {
        if (line.startsWith(PodMain.READY + " ")) {
          for (String pair : line.split(" ")) {
            if (pair.startsWith("grpc=")) {
              grpcPort = Integer.parseInt(pair.substring(5));
            } else if (pair.startsWith("http=")) {
              httpPort = Integer.parseInt(pair.substring(5));
            } else if (pair.startsWith("metrics=")) {
              metrics = URI.create("http://127.0.0.1:" + pair.substring(8) + "/metrics");
            }
          }
          return;
        }
      }
      if (!process.isAlive()) {
        throw new IOException(name + " exited with status " + process.exitValue() + ": "
            + Processes.tail(log, 4000));
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IOException(name + " not ready after " + READY_TIMEOUT.toSeconds() + " s: "
            + Processes.tail(log, 4000));
      }
      Thread.sleep(50);
    }
  }

  String name() {
    return name;
  }

  /** Whether the pod has said it listens ({@link #awaitReady()}). */
  boolean ready() {
    return metrics != null;
  }

  /** The pod's gRPC address, an endpoint of the Service. */
  InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", grpcPort);
  }

  /** The pod's HTTP address ({@link PodHttpServer}), an endpoint of the HTTP Service. */
  InetSocketAddress httpAddress() {
    return new InetSocketAddress("127.0.0.1", httpPort);
  }

  /**
   * The pod's JVM. The {@link Process}, not its {@code ProcessHandle}: inside the demo's PID
   * namespace {@code /proc} is still the host's, where a handle looks its pod's pid up (and
   * finds another process, or none: a live pod was seen as exited, and would not have been
   * signalled), while the {@code Process} follows the child it reaps.
   */
  Process process() {
    return process;
  }

  /** The pod's log so far, for error messages. */
  String logTail() {
    return Processes.tail(log, 4000);
  }

  /** The pod's {@code /metrics} as a Prometheus target, {@code host:port}. */
  String metricsTarget() {
    return metrics.getHost() + ':' + metrics.getPort();
  }

  /** Reads the pod's {@code /metrics} now. */
  MetricsText metrics() throws IOException, InterruptedException {
    if (!process.isAlive()) {
      throw new IOException(name + " exited with status " + process.exitValue() + ": "
          + Processes.tail(log, 4000));
    }
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(metrics)
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(name + ": GET " + metrics + ": HTTP " + r.statusCode());
    }
    return MetricsText.parse(r.body());
  }

  @Override
  public void close() {
    Processes.stop(process, Duration.ofSeconds(10));
  }
}
