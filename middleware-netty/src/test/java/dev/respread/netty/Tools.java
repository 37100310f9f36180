package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the command-line clients (curl, h2load) and reads their output. */
final class Tools {
  private Tools() {}

  /** What a command printed (stdout and stderr together) and its exit code. */
  record Ran(int exitCode, String output) {}

  /** Runs {@code command}, failing clearly if the tool is not installed. */
  static Ran run(List<String> command) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " is not installed (expected: apt-get install "
          + (command.get(0).equals("h2load") ? "nghttp2-client" : command.get(0)) + ")", e);
    }
    try {
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
      return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  /** One transfer of a curl invocation, from {@code -w '%{http_code} %{num_connects}\n'}. */
  record CurlTransfer(int status, int newConnections) {}

  /**
   * Fetches {@code url} {@code times} times in one curl invocation, so that curl reuses its
   * connection between transfers, and returns one line per transfer.
   */
  static List<CurlTransfer> curl(List<String> options, String url, int times)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "-w",
        "%{http_code} %{num_connects}\\n"));
    command.addAll(options);
    for (int i = 0; i < times; i++) {
      command.add("-o");
      command.add("/dev/null");
      command.add(url);
    }
    String out = run(command).output();
    List<CurlTransfer> transfers = new ArrayList<>();
    for (String line : out.split("\n")) {
      String[] parts = line.trim().split(" ");
      if (parts.length == 2 && parts[0].matches("\\d{3}")) {
        transfers.add(new CurlTransfer(Integer.parseInt(parts[0]), Integer.parseInt(parts[1])));
      } else if (!line.isBlank()) {
        transfers.add(new CurlTransfer(0, 0));
      }
    }
    assertThat(transfers).as("curl output:\n%s", out).hasSize(times);
    return transfers;
  }

  /** The request counts h2load prints at the end of a run. */
  record H2loadResult(long total, long started, long done, long succeeded, long failed,
      long errored, long timeout, long status2xx, String output) {
    /** Requests h2load never sent: it does not reconnect after an HTTP/2 GOAWAY. */
    long notStarted() {
      return total - started;
    }
  }

  private static final Pattern REQUESTS = Pattern.compile("requests: (\\d+) total, (\\d+) "
      + "started, (\\d+) done, (\\d+) succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout");
  private static final Pattern STATUS = Pattern.compile("status codes: (\\d+) 2xx");

  static H2loadResult h2load(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("h2load");
    command.addAll(args);
    String out = run(command).output();
    Matcher m = REQUESTS.matcher(out);
    Matcher s = STATUS.matcher(out);
    assertThat(m.find() && s.find()).as("h2load output:\n%s", out).isTrue();
    return new H2loadResult(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
        Long.parseLong(m.group(3)), Long.parseLong(m.group(4)), Long.parseLong(m.group(5)),
        Long.parseLong(m.group(6)), Long.parseLong(m.group(7)), Long.parseLong(s.group(1)), out);
  }
}
