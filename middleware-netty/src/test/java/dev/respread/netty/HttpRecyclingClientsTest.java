package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real HTTP/1.1 servers on port 0 that recycle every few requests and every few hundred
 * milliseconds while real clients keep sending: no request may fail, and connections must really
 * be replaced.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HttpRecyclingClientsTest extends RealServerTest {
  private static final int REQUESTS = 1200;




  /** Runs {@code task} {@code requests} times on 8 threads; returns how many failed. */
  private static int onEightThreads(int requests, Task task) throws InterruptedException {
    AtomicInteger failures = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    for (int i = 0; i < requests; i++) {
      threads.execute(() -> {
        try {
          if (!task.succeeds()) {
            failures.incrementAndGet();
          }
        } catch (Exception e) {
          failures.incrementAndGet();
        }
      });
    }
    threads.shutdown();
    assertThat(threads.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
    return failures.get();
  }

  interface Task {
    boolean succeeds() throws Exception;
  }

  @Test
  void jdkHttpClientNeverFailsWhileServerRecycles() throws Exception {
    start(TestServer.Shape.HTTP1, Recyclers.fast().build());
    assertJdkClientNeverFails(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .build(), "http", REQUESTS);
  }

  @Test
  void jdkHttpClientOverTlsNeverFailsWhileServerRecycles() throws Exception {
    start(TestServer.Shape.TLS_ALPN, Recyclers.fast().build());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    KeyStore ks = Tls.keyStore();
    tmf.init(ks);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    assertJdkClientNeverFails(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .sslContext(ssl).build(), "https", REQUESTS / 4);
  }

  private void assertJdkClientNeverFails(HttpClient client, String scheme, int requests)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(
        URI.create(scheme + "://127.0.0.1:" + server.port() + "/")).build();
    int failures = onEightThreads(requests, () -> {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().equals("hello")
          && r.version() == HttpClient.Version.HTTP_1_1;
    });
    assertThat(failures).isZero();
    // The JDK client does not report its connections: the server's accept count is theirs.
    recyclers.assertRecycled(server, server.accepted.get());
  }

  @Test
  void okHttpNeverFailsWhileServerRecycles() throws Exception {
    start(TestServer.Shape.HTTP1, Recyclers.fast().build());
    AtomicInteger connects = new AtomicInteger();
    OkHttpClient client = new OkHttpClient.Builder()
        .protocols(List.of(Protocol.HTTP_1_1))
        .proxy(Proxy.NO_PROXY)
        .eventListener(new EventListener() {
          @Override
          public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
            connects.incrementAndGet();
          }
        })
        .build();
    Request request = new Request.Builder().url("http://127.0.0.1:" + server.port() + "/")
        .build();
    try {
      int failures = onEightThreads(REQUESTS, () -> {
        try (Response r = client.newCall(request).execute()) {
          return r.code() == 200 && r.body().string().equals("hello");
        }
      });
      assertThat(failures).isZero();
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    recyclers.assertRecycled(server, connects.get());
  }

  @Test
  void curlReusesAndReplacesItsConnectionsWithoutFailures() throws Exception {
    start(TestServer.Shape.HTTP1, Recyclers.fast().build());
    int transfers = 300;
    List<Tools.CurlTransfer> result = Tools.curl(List.of("--http1.1"),
        "http://127.0.0.1:" + server.port() + "/", transfers);
    assertThat(result).allSatisfy(t -> assertThat(t.status()).isEqualTo(200));
    int connects = result.stream().mapToInt(Tools.CurlTransfer::newConnections).sum();
    assertThat(connects).isLessThan(transfers);
    recyclers.assertRecycled(server, connects);
  }

  @Test
  void h2loadOverHttp1ReconnectsAfterEveryCloseWithoutFailures() throws Exception {
    // Unlike its HTTP/2 mode, h2load's HTTP/1.1 mode reconnects on Connection: close, so here
    // every request must succeed.
    start(TestServer.Shape.HTTP1, Recyclers.fast().build());
    Tools.H2loadResult r = Tools.h2load(List.of("--h1", "-n", "4000", "-c", "8",
        "http://127.0.0.1:" + server.port() + "/"));
    assertThat(r.succeeded()).as(r.output()).isEqualTo(4000);
    assertThat(r.status2xx()).as(r.output()).isEqualTo(4000);
    assertThat(r.failed() + r.errored() + r.timeout()).as(r.output()).isZero();
    recyclers.awaitAllClosed();
    assertThat(recyclers.requestsOnClosedConnections()).isEqualTo(4000);
    recyclers.assertRecycled(server, server.accepted.get());
  }

  @Test
  void pipelinedRequestsAroundTheCloseGetAnswersUpToTheCloseThenAFin() throws Exception {
    start(TestServer.Shape.HTTP1, Recyclers.capOnly(2).build());
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      String get = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      OutputStream out = socket.getOutputStream();
      out.write(get.repeat(4).getBytes(StandardCharsets.US_ASCII));
      out.flush();

      // Reading to the end throws "Connection reset" if the server sent an RST instead of a FIN.
      String responses = readToEnd(socket.getInputStream());

      assertThat(responses.split("HTTP/1.1 200 OK", -1)).hasSize(3);
      int second = responses.lastIndexOf("HTTP/1.1 200 OK");
      assertThat(responses.substring(0, second)).doesNotContainIgnoringCase("connection: close");
      assertThat(responses.substring(second)).containsIgnoringCase("connection: close");
    }
    recyclers.awaitAllClosed();
    assertThat(recyclers.requestsOnClosedConnections()).isEqualTo(2);
    assertThat(recyclers.forced()).isZero();
  }

  private static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toString(StandardCharsets.US_ASCII);
  }

}
