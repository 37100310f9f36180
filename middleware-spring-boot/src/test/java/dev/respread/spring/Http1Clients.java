package dev.respread.spring;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * OkHttp clients, one connection pool each, that never retry: a failure is a failure. Despite the
 * name they speak h2c too, when built so.
 */
final class Http1Clients {
  private Http1Clients() {}

  static OkHttpClient client() {
    return new OkHttpClient.Builder().retryOnConnectionFailure(false).build();
  }

  /** {@code clients} clients sending {@code requests} GETs each to {@code /hello}. */
  static Traffic get(int port, int clients, int requests) throws Exception {
    return get(port, clients, requests, Http1Clients::client);
  }

  /** As {@link #get(int, int, int)}, with clients from {@code newClient}. */
  static Traffic get(int port, int clients, int requests, Supplier<OkHttpClient> newClient)
      throws Exception {
    List<OkHttpClient> pool = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      pool.add(newClient.get());
    }
    try {
      return Traffic.run(clients, requests, c -> hello(pool.get(c), port));
    } finally {
      pool.forEach(Http1Clients::close);
    }
  }

  /** One GET; throws unless it is a 200 saying hello. Returns the {@code Connection} header. */
  static String hello(OkHttpClient client, int port) throws IOException {
    Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/hello").build();
    try (Response response = client.newCall(request).execute()) {
      String body = response.body().string();
      if (response.code() != 200 || !body.equals("hello")) {
        throw new IOException("unexpected response " + response.code() + ": " + body);
      }
      return response.header("Connection", "");
    }
  }

  static void close(OkHttpClient client) {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
