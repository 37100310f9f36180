package dev.respread.netty;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Throughput of a hello server with and without respread's handlers, side by side: h2load over
 * h2c prior knowledge (Http2FrameCodec + Http2MultiplexHandler) and wrk over HTTP/1.1. Rounds
 * alternate between the two servers so that drift on a shared machine hits both alike.
 *
 * <p>The handlers run with the default configuration (10 minute age, no request cap), so this
 * measures their per-request cost; h2load does not reconnect after a GOAWAY, so recycling during
 * a run would end its clients early.
 *
 * <p>Arguments (all optional): {@code rounds seconds connections}; default {@code 5 5 32}.
 */
public final class ThroughputBenchmarkMain {
  private static final Pattern WRK = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern H2LOAD = Pattern.compile("finished in [^,]+, ([0-9.]+) req/s");

  private ThroughputBenchmarkMain() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    ConnectionRecycler recycler = ConnectionRecycler.builder(RecyclingConfig.defaults())
        .meterRegistry(new SimpleMeterRegistry()).name("bench").build();
    try (recycler;
        TestServer h1Off = new TestServer(TestServer.Shape.HTTP1, null);
        TestServer h1On = new TestServer(TestServer.Shape.HTTP1, recycler);
        TestServer h2Off = new TestServer(TestServer.Shape.H2_FRAME_CODEC, null);
        TestServer h2On = new TestServer(TestServer.Shape.H2_FRAME_CODEC, recycler)) {
      // Warm-up: JIT both servers' paths before measuring.
      for (TestServer s : List.of(h1Off, h1On)) {
        wrk(s.port(), 2, connections);
      }
      for (TestServer s : List.of(h2Off, h2On)) {
        h2load(s.port(), 2, connections);
      }
      double[][] h1 = new double[2][rounds];
      double[][] h2 = new double[2][rounds];
      for (int r = 0; r < rounds; r++) {
        // Alternate which server goes first, so neither always gets the cooler machine.
        boolean offFirst = r % 2 == 0;
        h1[offFirst ? 0 : 1][r] = wrk((offFirst ? h1Off : h1On).port(), seconds, connections);
        h1[offFirst ? 1 : 0][r] = wrk((offFirst ? h1On : h1Off).port(), seconds, connections);
        h2[offFirst ? 0 : 1][r] = h2load((offFirst ? h2Off : h2On).port(), seconds, connections);
        h2[offFirst ? 1 : 0][r] = h2load((offFirst ? h2On : h2Off).port(), seconds, connections);
        System.out.printf(Locale.ROOT, "round %d: wrk off %.0f on %.0f | h2load off %.0f on %.0f%n",
            r + 1, h1[0][r], h1[1][r], h2[0][r], h2[1][r]);
      }
      System.out.println();
      System.out.println("| load | without handlers (req/s, median) | with handlers (req/s, median)"
          + " | ratio |");
      System.out.println("| --- | --- | --- | --- |");
      row("wrk HTTP/1.1, " + connections + " connections", h1);
      row("h2load h2c, " + connections + " connections x 10 streams", h2);
    }
  }

  private static void row(String name, double[][] runs) {
    double off = median(runs[0]);
    double on = median(runs[1]);
    System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.3f |%n", name, off, on, on / off);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double wrk(int port, int seconds, int connections) throws Exception {
    return measure(List.of("wrk", "-t2", "-c" + connections, "-d" + seconds + "s",
        "http://127.0.0.1:" + port + "/"), WRK);
  }

  private static double h2load(int port, int seconds, int connections) throws Exception {
    return measure(List.of("h2load", "-t2", "-c" + connections, "-m10", "-D" + seconds,
        "http://127.0.0.1:" + port + "/"), H2LOAD);
  }

  private static double measure(List<String> command, Pattern rate) throws Exception {
    String out = Tools.run(new ArrayList<>(command)).output();
    Matcher m = rate.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("no rate in the output of " + command + ":\n" + out);
    }
    return Double.parseDouble(m.group(1));
  }
}
