package dev.respread.demo;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Prometheus ({@code prometheus} on the {@code PATH} or in {@code /usr/bin}, as Debian's
 * package installs it) on a loopback port, scraping the Service's pods. It finds them through
 * file-based discovery ({@code file_sd_configs}), standing in for Kubernetes discovery: each pod
 * is a target labelled {@code namespace}, {@code pod} and {@code service}, as the Prometheus
 * Operator and the usual scrape configurations label them, from the moment it is listed.
 */
final class PrometheusServer implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  private final Path dir;
  private final Process process;
  private final URI url;
  private final Duration scrapeInterval;
  private final List<Path> ruleFiles;

  private PrometheusServer(Path dir, Process process, URI url, Duration scrapeInterval,
      List<Path> ruleFiles) {
    this.dir = dir;
    this.process = process;
    this.url = url;
    this.scrapeInterval = scrapeInterval;
    this.ruleFiles = ruleFiles;
  }

  /** A scrape target: one pod of the Service. */
  record Target(String address, String namespace, String pod, String service) {}

  /**
   * Starts Prometheus with its configuration, storage and log in {@code dir}, scraping every
   * {@code scrapeInterval}, and waits until it is ready. It has no targets until
   * {@link #targets(List)}.
   *
   * @throws IOException if Prometheus is not installed or does not become ready
   */
  static PrometheusServer start(Path dir, Duration scrapeInterval)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    targets(dir, List.of());
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return start(dir, scrapeInterval, port, List.of());
  }

  /**
   * As {@link #start(Path, Duration)}, also loading the rules files {@code ruleFiles} and
   * evaluating them every {@code scrapeInterval}.
   */
  static PrometheusServer start(Path dir, Duration scrapeInterval, List<Path> ruleFiles)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    targets(dir, List.of());
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return start(dir, scrapeInterval, port, ruleFiles);
  }

  /**
   * Kills this Prometheus with SIGKILL, as a node failure or an OOM kill would, and returns at
   * once: its queries fail until {@link #restart()}.
   */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * Starts Prometheus again on the same port, storage (it replays its write-ahead log) and
   * targets, and waits until it is ready: a Prometheus pod restarted on its volume.
   */
  PrometheusServer restart() throws IOException, InterruptedException {
    kill();
    return start(dir, scrapeInterval, url.getPort(), ruleFiles);
  }

  private static PrometheusServer start(Path dir, Duration scrapeInterval, int port,
      List<Path> ruleFiles)
      throws IOException, InterruptedException {
    Path binary = binary();
    String interval = scrapeInterval.toMillis() + "ms";
    // A scrape may not outlast its interval; 10 s is Prometheus' own default timeout.
    String timeout = Math.min(scrapeInterval.toMillis(), 10_000) + "ms";
    Files.writeString(dir.resolve("prometheus.yml"), "global:\n"
        + "  scrape_interval: " + interval + "\n"
        + "  scrape_timeout: " + timeout + "\n"
        + "  evaluation_interval: " + interval + "\n"
        + (ruleFiles.isEmpty() ? "" : ruleFiles.stream()
            .map(f -> "  - '" + f.toAbsolutePath() + "'\n")
            .collect(Collectors.joining("", "rule_files:\n", "")))
        + "scrape_configs:\n"
        + "  - job_name: pods\n"
        + "    file_sd_configs:\n"
        // The file is watched; the refresh interval is only a fallback.
        + "      - files: ['" + dir.resolve("targets.json") + "']\n"
        + "        refresh_interval: 5s\n");
    Process p = new ProcessBuilder(binary.toString(),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("prometheus.log").toFile()))
        .start();
    PrometheusServer server = new PrometheusServer(dir, p, URI.create("http://127.0.0.1:" + port),
        scrapeInterval, List.copyOf(ruleFiles));
    try {
      server.awaitReady();
    } catch (IOException | InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private static Path binary() throws IOException {
    for (String d : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin")
        .split(File.pathSeparator)) {
      Path p = Path.of(d, "prometheus");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IOException("prometheus not found on PATH or in /usr/bin "
        + "(Debian: apt-get install prometheus)");
  }

  private void awaitReady() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IOException("prometheus exited: " + log());
      }
      try {
        if (http.send(HttpRequest.newBuilder(url.resolve("/-/ready")).build(),
            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // Not listening yet.
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IOException("prometheus not ready after " + READY_TIMEOUT.toSeconds() + " s: "
            + log());
      }
      Thread.sleep(100);
    }
  }

  /** Prometheus' base URL, as {@code RESPREAD_PROMETHEUS_URL}. */
  URI url() {
    return url;
  }

  /**
   * Replaces the scrape targets. The file is replaced in one rename, so that Prometheus never
   * reads half of it; it sees the change within a scrape interval or so.
   */
  void targets(List<Target> targets) throws IOException {
    targets(dir, targets);
  }

  private static void targets(Path dir, List<Target> targets) throws IOException {
    String json = targets.stream()
        .map(t -> String.format("{\"targets\":[\"%s\"],\"labels\":{\"namespace\":\"%s\","
            + "\"pod\":\"%s\",\"service\":\"%s\"}}", t.address(), t.namespace(), t.pod(),
            t.service()))
        .collect(Collectors.joining(",\n ", "[", "]\n"));
    Path next = dir.resolve("targets.json.next");
    Files.writeString(next, json);
    Files.move(next, dir.resolve("targets.json"), StandardCopyOption.ATOMIC_MOVE);
  }

  /** The end of Prometheus' log, for error messages. */
  String log() {
    return Processes.tail(dir.resolve("prometheus.log"), 4000);
  }

  /** Stops Prometheus: SIGTERM, then SIGKILL after 10 s. Its directory is the caller's. */
  @Override
  public void close() {
    Processes.stop(process, Duration.ofSeconds(10));
  }
}
