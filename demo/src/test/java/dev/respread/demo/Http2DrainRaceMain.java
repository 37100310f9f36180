package dev.respread.demo;

import dev.respread.ConnectionRecycler;
import dev.respread.RecyclingConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An experiment, not a test: the soak's HTTP/2 clients (OkHttp h2 prior knowledge, JDK HttpClient
 * h2c) against one {@link PodHttpServer} that drains every ~{@code CAP} requests, for
 * {@code SECONDS}; prints what each client saw.
 *
 * <pre>java -cp ... dev.respread.demo.Http2DrainRaceMain SECONDS CAP CONCURRENCY</pre>
 */
public final class Http2DrainRaceMain {
  public static void main(String[] args) throws Exception {
    int seconds = Integer.parseInt(args[0]);
    int cap = Integer.parseInt(args[1]);
    int concurrency = Integer.parseInt(args[2]);
    ConnectionRecycler recycler = ConnectionRecycler.builder(RecyclingConfig.builder()
        .maxRequestsPerConnection(cap).maxConnectionAge(Duration.ofMinutes(10))
        .maxDrainsPerSecond(100_000).maxDrainingFraction(1.0).build()).build();
    PodHttpServer server = new PodHttpServer(new InetSocketAddress("127.0.0.1", 0), recycler,
        "pod-1", new AtomicLong(), new AtomicLong());
    URI uri = URI.create("http://127.0.0.1:" + server.port() + "/hello");
    SoakStats.KillWindows kills = new SoakStats.KillWindows();
    List<SoakClient> clients = List.of(HttpSoakClients.okHttp(uri, true, concurrency, kills),
        HttpSoakClients.jdk(uri, true, concurrency, kills));
    for (SoakClient c : clients) {
      c.start();
    }
    Thread.sleep(seconds * 1000L);
    for (SoakClient c : clients) {
      c.stop();
    }
    for (SoakClient c : clients) {
      for (SoakStats s : c.stats()) {
        System.out.printf("%s: requests=%d failed=%d %s connections=%d%n", s.client,
            s.requests(), s.failed(), s.failuresByClass(), s.connections());
        s.firstFailures().forEach(f -> System.out.println("  " + f));
      }
    }
    recycler.close();
    server.close();
    System.exit(0);
  }
}
