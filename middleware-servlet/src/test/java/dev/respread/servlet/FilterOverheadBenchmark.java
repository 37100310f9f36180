package dev.respread.servlet;

import dev.respread.RecyclingConfig;
import jakarta.servlet.ServletContainerInitializer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * h2load throughput of an Undertow servlet with and without the filter. Run with
 * {@code mvn -f middleware-servlet/pom.xml test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.respread.servlet.FilterOverheadBenchmark -Dexec.args=200000}.
 */
public final class FilterOverheadBenchmark {
  private static final Pattern RATE = Pattern.compile("finished in [^,]+, ([\\d.]+) req/s");

  private FilterOverheadBenchmark() {
  }

  @SuppressWarnings("try") // Container.Running.close() may throw what a server's stop() throws
  private static String run(RecyclingConfig config, boolean filter, boolean h1, int requests)
      throws Exception {
    try (Recycling recycling = Recycling.start(config)) {
      ServletContainerInitializer sci = filter ? Container.initializer(recycling.recycler) : null;
      try (Container.Running server = Container.undertow(sci, new TestServlet())) {
        String url = server.url("/hello");
        Clients.H2load.run(url, requests / 10, 4, 10, h1); // warm-up
        Clients.H2load r = Clients.H2load.run(url, requests, 4, h1 ? 1 : 10, h1);
        Matcher m = RATE.matcher(r.output);
        return (m.find() ? m.group(1) : "?") + " req/s, succeeded " + r.succeeded + "/" + r.total
            + ", drained " + recycling.drained();
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    RecyclingConfig off = RecyclingConfig.builder().enabled(false).build();
    RecyclingConfig every1000 = RecyclingConfig.builder().maxRequestsPerConnection(1000)
        .maxDrainsPerSecond(100_000).maxDrainingFraction(1.0).build();
    // Round 1 warms the JIT for every path; round 2 is the one to read.
    for (int round = 1; round <= 2; round++) {
      System.out.println("round " + round);
      for (boolean h1 : new boolean[] {false, true}) {
        String p = h1 ? "http/1.1" : "h2c";
        System.out.println(p + " no filter:               " + run(off, false, h1, requests));
        System.out.println(p + " filter, recycling off:   " + run(off, true, h1, requests));
        if (h1) {
          System.out.println(p + " filter, every ~1000 req: " + run(every1000, true, h1,
              requests));
        }
      }
    }
    System.exit(0);
  }
}
