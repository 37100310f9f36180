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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus ({@code /usr/bin/prometheus} from Debian's {@code prometheus} package) on a
 * loopback port, scraping {@link PodEndpoint}s every second, with its storage in a temporary
 * directory. Fails, rather than skips, when Prometheus is not installed.
 */
final class PrometheusProcess implements AutoCloseable {
  private final Path dir;
  private final Process process;
  private final HttpClient http = HttpClient.newHttpClient();
  final URI url;

  private PrometheusProcess(Path dir, Process process, URI url) {
    this.dir = dir;
    this.process = process;
    this.url = url;
  }

  static PrometheusProcess start(Path dir, List<PodEndpoint> pods) throws Exception {
    Path binary = binary();
    Files.createDirectories(dir);
    writeConfig(dir, pods);
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
    StringBuilder yml = new StringBuilder("global:\n  scrape_interval: 1s\n"
        + "  scrape_timeout: 900ms\n  evaluation_interval: 1s\n"
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
