package dev.respread.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * A real Prometheus ({@code /usr/bin/prometheus} from Debian's {@code prometheus} package) on a
 * loopback port, scraping every second, with its storage in a temporary directory: either a
 * fixed list of {@link PodEndpoint}s, or the targets of a file-based discovery file, which
 * {@link #targets} rewrites as Kubernetes discovery would when pods come and go. Fails, rather
 * than skips, when Prometheus is not installed.
 */
final class PrometheusProcess implements AutoCloseable {
  private static final String GLOBAL = "global:\n  scrape_interval: 1s\n"
      + "  scrape_timeout: 900ms\n  evaluation_interval: 1s\n";

  private final Path dir;
  private final Process process;
  private final HttpClient http = HttpClient.newHttpClient();
  final URI url;

  private PrometheusProcess(Path dir, Process process, URI url) {
    this.dir = dir;
    this.process = process;
    this.url = url;
  }

  /** One scrape target with the labels Kubernetes discovery gives a pod. */
  record Target(String address, String namespace, String pod, String service) {}

  static PrometheusProcess start(Path dir, List<PodEndpoint> pods) throws Exception {
    Files.createDirectories(dir);
    writeConfig(dir, pods);
    return launch(dir);
  }

  /**
   * Starts a Prometheus whose targets come from {@code targets.json} in {@code dir}
   * ({@code file_sd_configs}), none at first.
   */
  static PrometheusProcess withFileDiscovery(Path dir) throws Exception {
    Files.createDirectories(dir);
    writeTargets(dir, List.of());
    Files.writeString(dir.resolve("prometheus.yml"), GLOBAL
        + "scrape_configs:\n  - job_name: pods\n    file_sd_configs:\n"
        + "      - files: ['" + dir.resolve("targets.json") + "']\n"
        + "        refresh_interval: 1s\n");
    return launch(dir);
  }

  /**
   * Rewrites the discovery file with {@code targets}, in one atomic step so that Prometheus never
   * reads half a file. Prometheus notices within a second and applies discovered changes at most
   * every 5 s.
   */
  void targets(List<Target> targets) throws IOException {
    writeTargets(dir, targets);
  }

  private static void writeTargets(Path dir, List<Target> targets) throws IOException {
    StringBuilder json = new StringBuilder("[");
    for (Target t : targets) {
      json.append(json.length() == 1 ? "" : ",").append("{\"targets\":[\"").append(t.address())
          .append("\"],\"labels\":{\"namespace\":\"").append(t.namespace())
          .append("\",\"pod\":\"").append(t.pod()).append("\",\"service\":\"")
          .append(t.service()).append("\"}}");
    }
    Path next = dir.resolve("targets.json.next");
    Files.writeString(next, json.append(']'));
    Files.move(next, dir.resolve("targets.json"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }

  private static PrometheusProcess launch(Path dir) throws Exception {
    Path binary = binary();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Process p = new ProcessBuilder(binary.toString(),
        "--config.file=" + dir.resolve("prometheus.yml"),
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port,
        "--web.enable-lifecycle",
        "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile())
        .start();
    PrometheusProcess prometheus = new PrometheusProcess(dir, p, URI.create("http://127.0.0.1:"
        + port));
    try {
      Await.until(Duration.ofSeconds(60), prometheus::ready, prometheus::log);
    } catch (AssertionError e) {
      prometheus.close();
      throw e;
    }
    return prometheus;
  }

  private static Path binary() {
    for (String d : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/bin")
        .split(File.pathSeparator)) {
      Path p = Path.of(d, "prometheus");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    assertThat((Path) null).as("prometheus not found on PATH or in /usr/bin: these tests need "
        + "a real Prometheus; install Debian's package (apt-get install prometheus)").isNotNull();
    throw new AssertionError("unreachable");
  }

  /** Writes a config that scrapes {@code pods} every second, labelled as Kubernetes SD would. */
  static void writeConfig(Path dir, List<PodEndpoint> pods) throws IOException {
    StringBuilder yml = new StringBuilder(GLOBAL
        + "scrape_configs:\n  - job_name: pods\n    static_configs:\n");
    for (PodEndpoint p : pods) {
      yml.append("      - targets: ['").append(p.target()).append("']\n")
          .append("        labels: {namespace: shop, service: ").append(p.service)
          .append(", pod: ").append(p.pod).append("}\n");
    }
    Files.writeString(dir.resolve("prometheus.yml"), yml);
  }

  /** Rewrites the config for {@code pods} and makes Prometheus load it. */
  void reload(List<PodEndpoint> pods) throws Exception {
    writeConfig(dir, pods);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(url.resolve("/-/reload"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
  }

  private boolean ready() {
    if (!process.isAlive()) {
      throw new AssertionError("prometheus exited: " + log());
    }
    try {
      return http.send(HttpRequest.newBuilder(url.resolve("/-/ready")).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  String log() {
    try {
      String log = Files.readString(dir.resolve("prometheus.log"));
      return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    } catch (IOException e) {
      return "(no log: " + e + ')';
    }
  }

  /** Stops Prometheus: SIGTERM, then SIGKILL if it has not exited after 30 s. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
