package dev.respread.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's clients that are programs of their own, read from what they print: @grpc/grpc-js
 * (a Node script), curl keep-alive loops and wrk. They run inside the soak's PID namespace, so
 * they end with it whatever happens.
 */
final class ProcessSoakClients {
  private static final Pattern NUMBER = Pattern.compile("\"(\\w+)\":(-?\\d+)");
  private static final Pattern TEXT = Pattern.compile("\"(\\w+)\":\"((?:[^\"\\\\]|\\\\.)*)\"");

  private ProcessSoakClients() {}

  /** The numbers of a flat JSON line, by key. */
  static Map<String, Long> numbers(String json) {
    Map<String, Long> m = new java.util.HashMap<>();
    Matcher x = NUMBER.matcher(json);
    while (x.find()) {
      m.put(x.group(1), Long.parseLong(x.group(2)));
    }
    return m;
  }

  /** The strings of a flat JSON line, by key. */
  static Map<String, String> texts(String json) {
    Map<String, String> m = new java.util.HashMap<>();
    Matcher x = TEXT.matcher(json);
    while (x.find()) {
      m.put(x.group(1), x.group(2));
    }
    return m;
  }

  /**
   * {@code soak-client.js} on @grpc/grpc-js: one channel, {@code concurrency} calls at a time,
   * unary and server-streaming in turn. It prints its totals every second and each failure with
   * its start and end (epoch milliseconds), and stops when its standard input closes.
   */
  static SoakClient grpcJs(Path script, String host, int port, int concurrency,
      SoakStats.KillWindows kills) {
    SoakStats stats = new SoakStats("grpc-js", "gRPC, unary + server-streaming, "
        + concurrency + " at a time", kills);
    return new SoakClient() {
      private Process process;
      private Thread reader;

      @Override
      public void start() throws IOException {
        process = new ProcessBuilder("node", script.toString(), host, String.valueOf(port),
            String.valueOf(concurrency))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
        reader = new Thread(() -> read(process, stats), "grpc-js-reader");
        reader.setDaemon(true);
        reader.start();
      }

      @Override
      public void stop() throws Exception {
        process.getOutputStream().close();
        reader.join(Duration.ofSeconds(40).toMillis());
        Processes.stop(process, Duration.ofSeconds(5));
      }

      @Override
      public List<SoakStats> stats() {
        return List.of(stats);
      }
    };
  }

  private static void read(Process process, SoakStats stats) {
    long ok = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        Map<String, Long> n = numbers(line);
        if (line.startsWith("{\"failure\"")) {
          Map<String, String> t = texts(line);
          stats.failedAtMillis(n.get("start"), n.get("end"), t.get("class"), t.get("message"));
        } else if (n.containsKey("ok")) {
          stats.succeeded(n.get("ok") - ok);
          ok = n.get("ok");
          stats.reportedConnections(n.get("connections"));
        }
      }
    } catch (IOException e) {
      stats.failed(false, "client", "grpc-js output: " + e);
    }
  }

  /**
   * {@code loops} curl processes in a row each, every one sending {@code batch} GETs on one
   * keep-alive connection (HTTP/1.1; curl 7.88 cannot reuse an h2c prior-knowledge connection),
   * reconnecting when a response says {@code Connection: close}. Each transfer is one line of
   * {@code --write-out}, read as curl prints it; a transfer's start is its end less its
   * {@code time_total}.
   */
  static SoakClient curl(Path workDir, String url, int loops, int batch,
      SoakStats.KillWindows kills) throws IOException {
    SoakStats stats = new SoakStats("curl", "HTTP/1.1 keep-alive, " + loops + " loops of "
        + batch + " requests per process", kills);
    StringBuilder config = new StringBuilder()
        .append("write-out = \"%{http_code} %{exitcode} %{time_total} %header{")
        .append(HelloService.CONNECTION_HEADER).append("}\\n\"\n")
        .append("silent\nmax-time = 30\n");
    for (int i = 0; i < batch; i++) {
      config.append("url = \"").append(url).append("\"\noutput = \"/dev/null\"\n");
    }
    Path file = workDir.resolve("curl.config");
    Files.writeString(file, config);
    return new SoakClient() {
      private final List<Thread> threads = new ArrayList<>();
      private volatile boolean stopping;

      @Override
      public void start() {
        for (int i = 0; i < loops; i++) {
          Thread t = new Thread(this::loop, "curl-loop-" + i);
          t.setDaemon(true);
          threads.add(t);
          t.start();
        }
      }

      private void loop() {
        while (!stopping) {
          try {
            Process p = new ProcessBuilder("curl", "-K", file.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.US_ASCII))) {
              for (String line; (line = r.readLine()) != null; ) {
                transfer(line);
              }
            }
            p.waitFor();
          } catch (IOException e) {
            stats.failed(false, "client", "curl: " + e);
          } catch (InterruptedException e) {
            return;
          }
        }
      }

      private void transfer(String line) {
        long end = System.currentTimeMillis();
        String[] f = line.split(" ", 4);
        if (f[0].equals("200") && f[1].equals("0")) {
          stats.connection(f.length > 3 && !f[3].isEmpty() ? f[3] : null);
          stats.succeeded();
        } else {
          long start = end - (long) (Double.parseDouble(f[2]) * 1000) - 1;
          stats.failedAtMillis(start, end, f[0].equals("000") ? "curl exit " + f[1]
              : "HTTP " + f[0], line);
        }
      }

      @Override
      public void stop() throws InterruptedException {
        // Each curl finishes its batch (a second or so), so that every request sent is counted.
        stopping = true;
        for (Thread t : threads) {
          t.join(Duration.ofSeconds(35).toMillis());
        }
      }

      @Override
      public List<SoakStats> stats() {
        return List.of(stats);
      }
    };
  }

  /** wrk's script: counts connections and responses other than 200, paces each connection. */
  private static final String WRK_SCRIPT = String.join("\n",
      "local threads = {}",
      "function setup(thread) table.insert(threads, thread) end",
      "function init(args) conns = {}; nconns = 0; bad = 0; pace = tonumber(args[1]) or 0 end",
      "function delay() return pace end",
      "function response(status, headers, body)",
      "  local c = headers['" + HelloService.CONNECTION_HEADER + "']",
      "  if c and not conns[c] then conns[c] = true; nconns = nconns + 1 end",
      "  if status ~= 200 then bad = bad + 1 end",
      "end",
      "function done(summary, latency, requests)",
      "  local n = 0; local b = 0",
      "  for _, t in ipairs(threads) do n = n + t:get('nconns'); b = b + t:get('bad') end",
      "  local e = summary.errors",
      "  io.write(string.format('{\"requests\":%d,\"connect\":%d,\"read\":%d,\"write\":%d,"
          + "\"status\":%d,\"timeout\":%d,\"connections\":%d,\"bad\":%d}\\n', summary.requests,"
          + " e.connect, e.read, e.write, e.status, e.timeout, n, b))",
      "end", "");

  /**
   * wrk on HTTP/1.1 keep-alive, {@code connections} connections paced at one request per
   * {@code paceMillis} each, in runs of {@code segment} (wrk reports only when a run ends). wrk
   * counts errors, not calls: in a run during which a pod was SIGKILLed, read and write errors
   * up to one per connection (each has one request in flight) are that pod's in-flight calls.
   */
  static SoakClient wrk(Path workDir, String url, int connections, int paceMillis,
      Duration segment, SoakStats.KillWindows kills) throws IOException {
    SoakStats stats = new SoakStats("wrk", "HTTP/1.1 keep-alive, " + connections
        + " connections", kills);
    Path script = workDir.resolve("soak.lua");
    Files.writeString(script, WRK_SCRIPT);
    return new SoakClient() {
      private Thread thread;
      private volatile Process current;
      private volatile boolean stopping;
      private long connectionsSeen;

      @Override
      public void start() {
        thread = new Thread(this::loop, "wrk-loop");
        thread.setDaemon(true);
        thread.start();
      }

      private void loop() {
        while (!stopping) {
          try {
            long from = System.currentTimeMillis();
            Process p = new ProcessBuilder("wrk", "-t1", "-c" + connections,
                "-d" + segment.toSeconds() + "s", "--timeout", "30s", "-s", script.toString(),
                url, "--", String.valueOf(paceMillis))
                .redirectErrorStream(true).start();
            current = p;
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            long to = System.currentTimeMillis();
            segment(out, from, to);
          } catch (IOException e) {
            stats.failed(false, "client", "wrk: " + e);
          } catch (InterruptedException e) {
            return;
          }
        }
      }

      private void segment(String out, long from, long to) {
        String json = out.lines().filter(l -> l.startsWith("{\"requests\"")).findFirst()
            .orElse(null);
        if (json == null) {
          if (!stopping) {
            stats.failed(false, "client", "wrk printed no summary: " + out);
          }
          return;
        }
        Map<String, Long> n = numbers(json);
        long bad = n.get("bad");
        stats.succeeded(n.get("requests") - bad);
        for (long i = 0; i < bad; i++) {
          stats.failed(false, "HTTP not 200", json);
        }
        long broken = n.get("read") + n.get("write");
        long atKill = kills.anyBetweenMillis(from, to) ? Math.min(broken, connections) : 0;
        for (long i = 0; i < broken; i++) {
          stats.failed(i < atKill, "socket error", json);
        }
        for (long i = 0; i < n.get("connect"); i++) {
          stats.failed(false, "connect error", json);
        }
        for (long i = 0; i < n.get("timeout"); i++) {
          stats.failed(false, "timeout", json);
        }
        connectionsSeen += n.get("connections");
        stats.reportedConnections(connectionsSeen);
      }

      @Override
      public void stop() throws InterruptedException {
        stopping = true;
        Process p = current;
        if (p != null) {
          // SIGINT: wrk prints its summary and exits.
          try {
            new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
          } catch (IOException e) {
            p.destroy();
          }
        }
        thread.join(Duration.ofSeconds(15).toMillis());
      }

      @Override
      public List<SoakStats> stats() {
        return List.of(stats);
      }
    };
  }
}
