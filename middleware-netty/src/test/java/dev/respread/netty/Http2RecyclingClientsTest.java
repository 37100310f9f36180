package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real HTTP/2 servers on port 0 that recycle every few requests and every few hundred
 * milliseconds while real clients keep sending: no request may fail, and connections must really
 * be replaced.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class Http2RecyclingClientsTest extends RealServerTest {
  private static final int REQUESTS = 1500;

  @ParameterizedTest
  @EnumSource(value = TestServer.Shape.class, names = {"H2_FRAME_CODEC", "H2_SUBCLASS",
      "H2C_UPGRADE", "H2C_UPGRADE_SUBCLASS", "TLS_ALPN", "TLS_ALPN_SUBCLASS"})
  void nettyClientNeverFailsWhileEveryServerShapeRecycles(TestServer.Shape shape)
      throws Exception {
    start(shape, Recyclers.fast().build());
    SslContext ssl = shape.tls() ? clientTls() : null;
    try (NettyH2Client client = new NettyH2Client(server.port(), ssl)) {
      client.run(REQUESTS, 16, "/");

      assertThat(client.failures).isEmpty();
      assertThat(client.succeeded).hasValue(REQUESTS);
      recyclers.assertRecycled(server, client.connections.get());
      // This client leaves a connection only when it is drained, and the last one drains by age
      // once the load stops: then every connection was drained and had two GOAWAYs, the first
      // with 2^31-1.
      recyclers.awaitAllClosed();
      assertThat(recyclers.drained()).isEqualTo(client.connections.get());
      assertThat(client.goAways.get()).isEqualTo(2 * client.connections.get());
      assertThat(client.goAwayLastStreamIds.stream().filter(id -> id == Integer.MAX_VALUE))
          .hasSize(client.connections.get());
    }
  }

  @Test
  void okHttpWithPriorKnowledgeNeverFailsWhileServerRecycles() throws Exception {
    // OkHttp shares one HTTP/2 connection between its 8 callers. A call that picked a connection
    // just before its GOAWAY fails before sending with ConnectionShutdownException, and OkHttp
    // retries that only once per call (ExchangeFinder.retryRoute); with a cap of 5 the next
    // connection can be drained before the retry too. A cap of 50 still recycles every few
    // dozen requests while keeping each call to at most one such retry.
    start(TestServer.Shape.H2_FRAME_CODEC, Recyclers.fast().maxRequestsPerConnection(50).build());
    AtomicInteger connects = new AtomicInteger();
    OkHttpClient client = new OkHttpClient.Builder()
        .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
        .proxy(Proxy.NO_PROXY)
        .connectionPool(new ConnectionPool())
        .eventListener(new EventListener() {
          @Override
          public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
            connects.incrementAndGet();
          }
        })
        .build();
    List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicInteger ok = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      String url = "http://127.0.0.1:" + server.port() + "/";
      for (int i = 0; i < REQUESTS; i++) {
        threads.execute(() -> {
          try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
            if (r.code() == 200 && r.body().string().equals("hello")) {
              ok.incrementAndGet();
            } else {
              failures.add("status " + r.code());
            }
          } catch (IOException e) {
            failures.add(e.toString());
          }
        });
      }
    } finally {
      threads.shutdown();
      assertThat(threads.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    assertThat(failures).isEmpty();
    assertThat(ok).hasValue(REQUESTS);
    recyclers.assertRecycled(server, connects.get());
  }

  @ParameterizedTest
  @EnumSource(value = TestServer.Shape.class, names = {"H2C_UPGRADE", "H2C_UPGRADE_SUBCLASS"})
  void curlWithH2cUpgradeReusesAndReplacesItsConnectionsWithoutFailures(TestServer.Shape shape)
      throws Exception {
    start(shape, Recyclers.fast().build());
    assertCurlRecycledWithoutFailures(List.of("--http2"),
        "http://127.0.0.1:" + server.port() + "/");
  }

  @ParameterizedTest
  @EnumSource(value = TestServer.Shape.class, names = {"TLS_ALPN", "TLS_ALPN_SUBCLASS"})
  void curlWithH2OverTlsReusesAndReplacesItsConnectionsWithoutFailures(TestServer.Shape shape)
      throws Exception {
    start(shape, Recyclers.fast().build());
    assertCurlRecycledWithoutFailures(List.of("--http2", "-k"),
        "https://127.0.0.1:" + server.port() + "/");
  }

  private void assertCurlRecycledWithoutFailures(List<String> options, String url)
      throws Exception {
    int transfers = 300;
    List<Tools.CurlTransfer> result = Tools.curl(options, url, transfers);
    assertThat(result).allSatisfy(t -> assertThat(t.status()).isEqualTo(200));
    int connects = result.stream().mapToInt(Tools.CurlTransfer::newConnections).sum();
    // curl reused connections (fewer connects than transfers) and was moved to new ones.
    assertThat(connects).isLessThan(transfers);
    recyclers.assertRecycled(server, connects);
  }

  @ParameterizedTest
  @EnumSource(value = TestServer.Shape.class, names = {"H2_FRAME_CODEC", "H2_SUBCLASS",
      "H2C_UPGRADE", "H2C_UPGRADE_SUBCLASS"})
  void curlWithPriorKnowledgeCompletesEveryRequestThatADrainOvertakes(TestServer.Shape shape)
      throws Exception {
    // curl 7.88.1 cannot reuse a prior-knowledge connection (curl#10634), so every invocation
    // sends one request on a connection of its own, four invocations at a time. Connections are
    // drained by age after 150 ms (+-10%, at the engine's next 100 ms tick) and the server
    // answers after 600 ms: the two GOAWAYs and the PING reach curl while its request is in
    // flight, and the response must still arrive whole.
    start(shape, Recyclers.fast().maxRequestsPerConnection(0)
        .maxConnectionAge(Duration.ofMillis(150)).build());
    int invocations = 24;
    List<String> command = List.of("curl", "-sS", "-v", "--http2-prior-knowledge",
        "-o", "/dev/null",
        "-w", "%{http_code} %{http_version} %{size_download} %{num_connects}\\n",
        "http://127.0.0.1:" + server.port() + "/sleep/600");
    List<Tools.Ran> results = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < invocations; i++) {
        threads.execute(() -> {
          try {
            results.add(Tools.run(command));
          } catch (Exception e) {
            results.add(new Tools.Ran(-1, e.toString()));
          }
        });
      }
    } finally {
      threads.shutdown();
      assertThat(threads.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
    }

    // Exit code 0, and all 5 bytes of the body over HTTP/2, on one new connection each.
    assertThat(results).hasSize(invocations).allSatisfy(r -> {
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(r.output()).as(r.output()).containsPattern("(?m)^200 2 5 1$");
    });
    // curl -v logs each GOAWAY it receives (stream 1 is the only one): count the requests that
    // both GOAWAYs overtook, before their response headers.
    long overtaken = results.stream().map(Tools.Ran::output).filter(out -> {
      int first = out.indexOf("last_stream=" + Integer.MAX_VALUE + "\n");
      int last = out.indexOf("last_stream=1\n");
      return first >= 0 && first < last && last < out.indexOf("< HTTP/2 200");
    }).count();
    recyclers.awaitAllClosed();
    assertThat(server.accepted).hasValue(invocations);
    assertThat(recyclers.opened()).isEqualTo(invocations);
    assertThat(recyclers.requestsOnClosedConnections()).isEqualTo(invocations);
    // Every connection outlives its age by 300 ms or more; a tick delayed that long by a busy
    // machine may drain one late or not at all, so the bar is most of them rather than all.
    assertThat(overtaken).isGreaterThan(invocations / 2);
    assertThat(recyclers.drained()).isGreaterThanOrEqualTo(overtaken);
    assertThat(recyclers.forced()).isZero();
  }

  @Test
  void h2loadWithManyConcurrentStreamsHasEveryRequestTheServerSawSucceed() throws Exception {
    // h2load (nghttp2 1.52) does not reconnect after an HTTP/2 GOAWAY: each client stops there.
    // It counts the requests it never submitted as failed and errored, and the ones it had queued
    // but nghttp2 refused to send after the GOAWAY (START_STREAM_NOT_ALLOWED) as done but not
    // succeeded. Neither reached the server: every request the server saw must succeed, with up
    // to 32 streams in flight when each GOAWAY arrives.
    start(TestServer.Shape.H2_FRAME_CODEC, Recyclers.fast().maxRequestsPerConnection(200)
        .maxConnectionAge(Duration.ofMillis(300)).build());
    long succeeded = 0;
    for (int run = 0; run < 3; run++) {
      Tools.H2loadResult r = Tools.h2load(List.of("-n", "20000", "-c", "4", "-m", "32",
          "http://127.0.0.1:" + server.port() + "/"));
      assertThat(r.started()).as(r.output()).isPositive();
      assertThat(r.done()).as(r.output()).isEqualTo(r.started());
      assertThat(r.status2xx()).as(r.output()).isEqualTo(r.succeeded());
      assertThat(r.failed() - r.notStarted()).as(r.output()).isEqualTo(r.done() - r.succeeded());
      assertThat(r.timeout()).as(r.output()).isZero();
      recyclers.awaitAllClosed();
      succeeded += r.succeeded();
      assertThat(recyclers.requestsOnClosedConnections()).as(r.output()).isEqualTo(succeeded);
    }
    assertThat(succeeded).isGreaterThan(12 * 32);
    assertThat(recyclers.drained()).isEqualTo(12);
    assertThat(recyclers.forced()).isZero();
  }


  static SslContext clientTls() throws IOException {
    return SslContextBuilder.forClient()
        .trustManager(InsecureTrustManagerFactory.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2))
        .build();
  }
}
