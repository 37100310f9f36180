package dev.respread.spring;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** Reactor Netty clients, one connection pool each, that never retry. */
final class ReactorClients {
  private ReactorClients() {}

  /**
   * {@code clients} clients speaking {@code protocols} (HTTP/1.1 and h2c together: an upgrade on
   * each new connection), sending {@code requests} GETs each.
   */
  static Traffic get(int port, int clients, int requests, HttpProtocol... protocols)
      throws Exception {
    List<ConnectionProvider> providers = new ArrayList<>();
    List<HttpClient> pool = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      ConnectionProvider provider = ConnectionProvider.builder("client-" + i).maxConnections(1)
          .build();
      providers.add(provider);
      pool.add(HttpClient.create(provider).protocol(protocols).disableRetry(true)
          .responseTimeout(Duration.ofSeconds(30)).baseUrl("http://127.0.0.1:" + port));
    }
    try {
      return Traffic.run(clients, requests, c -> hello(pool.get(c)));
    } finally {
      providers.forEach(ConnectionProvider::dispose);
    }
  }

  static void hello(HttpClient client) throws IOException {
    String body = client.get().uri("/hello")
        .responseSingle((response, content) -> response.status().code() == 200
            ? content.asString()
            : reactor.core.publisher.Mono.error(
                new IOException("unexpected status " + response.status())))
        .block(Duration.ofSeconds(30));
    if (!"hello".equals(body)) {
      throw new IOException("unexpected body: " + body);
    }
  }
}
