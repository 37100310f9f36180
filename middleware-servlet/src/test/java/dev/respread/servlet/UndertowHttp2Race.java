package dev.respread.servlet;

import dev.respread.RecyclingConfig;
import jakarta.servlet.ServletContainerInitializer;
import java.time.Duration;

/**
 * The Undertow HTTP/2 drain race, measured: OkHttp (h2 prior knowledge) sends {@code requests}
 * requests on {@code threads} threads to a servlet while every connection is drained after ~5
 * requests, and the run counts the requests that failed.
 *
 * <p>Two knobs show where the race lives. {@code ioThreadCounting=false} hides the deployment's
 * I/O-thread handler from the filter, so requests are counted only when they reach the filter on
 * a worker thread. A {@code goAwayPingTimeout} of 1 ms leaves the client no time to read the
 * first GOAWAY before the final one, which approximates a one-phase drain.
 */
public final class UndertowHttp2Race {
  /** What one run saw. */
  static final class Outcome {
    final int requests;
    final int ok;
    final int failed;
    final int unsent;
    final double drained;
    final double opened;
    /** The connections the client sent streams on (see {@link Clients.Result#used}). */
    final int connections;
    final double forced;
    final int served;
    final String sampleFailures;

    Outcome(int requests, Clients.Result r, Recycling recycling, int served) {
      this.requests = requests;
      this.ok = r.ok.get();
      this.failed = r.failed.get();
      this.unsent = r.unsent.get();
      this.drained = recycling.drained("h2");
      this.opened = recycling.opened();
      this.connections = r.used.size();
      this.forced = recycling.forced();
      this.served = served;
      this.sampleFailures = r.failures.toString();
    }

    double failureRate() {
      return (double) failed / requests;
    }

    @Override
    public String toString() {
      return String.format("requests=%d ok=%d failed=%d rate=%.6f unsent-and-resent=%d "
          + "drains=%.0f opened=%.0f connections=%d forced=%.0f served=%d failures=%s", requests,
          ok, failed, failureRate(), unsent, drained, opened, connections, forced, served,
          sampleFailures);
    }
  }

  private UndertowHttp2Race() {
  }

  static RecyclingConfig.Builder drainEveryFiveRequests() {
    // Only the request cap and the drain budget differ from the defaults: the grace (30 s) and
    // the GOAWAY ping timeout (5 s) are the defaults unless a run overrides them.
    return RecyclingConfig.builder().maxRequestsPerConnection(5)
        .maxDrainsPerSecond(100_000).maxDrainingFraction(1.0);
  }

  @SuppressWarnings("try") // Container.Running.close() may throw what a server's stop() throws
  static Outcome run(RecyclingConfig config, boolean ioThreadCounting, int requests, int threads)
      throws Exception {
    TestServlet app = new TestServlet();
    try (Recycling recycling = Recycling.start(config)) {
      ServletContainerInitializer sci = (classes, ctx) -> {
        RecyclingServletFilter.register(ctx, recycling.recycler);
        if (!ioThreadCounting) {
          // The deployment handler finds the filter's connections through this attribute.
          ctx.removeAttribute("dev.respread.servlet.internal.UndertowConnections");
        }
      };
      try (Container.Running server = Container.undertow(sci, app)) {
        Clients.Result r = Clients.okHttpH2(server.url("/hello"), threads, requests);
        return new Outcome(requests, r, recycling, app.served.get());
      }
    }
  }

  /**
   * Prints the failure rate of each configuration. Run with
   * {@code mvn -f middleware-servlet/pom.xml test-compile exec:java
   * -Dexec.classpathScope=test -Dexec.mainClass=dev.respread.servlet.UndertowHttp2Race
   * -Dexec.args=100000}.
   */
  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int threads = 16;
    RecyclingConfig defaults = drainEveryFiveRequests().build();
    RecyclingConfig oneMs = drainEveryFiveRequests().goAwayPingTimeout(Duration.ofMillis(1))
        .build();
    System.out.println("defaults, I/O-thread counting:   " + run(defaults, true, requests,
        threads));
    System.out.println("defaults, filter-only counting:  " + run(defaults, false, requests,
        threads));
    System.out.println("1 ms wait, I/O-thread counting:  " + run(oneMs, true, requests,
        threads));
    System.out.println("1 ms wait, filter-only counting: " + run(oneMs, false, requests,
        threads));
    System.exit(0);
  }
}
