package dev.respread.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The soak's Java HTTP clients, each with a few requests at a time in a closed loop: OkHttp
 * over h2 (prior knowledge, cleartext) or HTTP/1.1, and the JDK's {@code HttpClient} over h2c
 * (its HTTP/1.1 {@code Upgrade: h2c} on each new connection) or HTTP/1.1. A request succeeds on
 * a {@code 200} whose body is a pod's name. Both clients keep their defaults otherwise,
 * including the retries they make by themselves.
 */
final class HttpSoakClients {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private HttpSoakClients() {}

  /** Sends in a closed loop, {@code concurrency} requests at a time. */
  private abstract static class ClosedLoop implements SoakClient {
    final SoakStats stats;
    final URI uri;
    private final int concurrency;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean running;

    ClosedLoop(SoakStats stats, URI uri, int concurrency) {
      this.stats = stats;
      this.uri = uri;
      this.concurrency = concurrency;
    }

    @Override
    public void start() {
      running = true;
      for (int i = 0; i < concurrency; i++) {
        next();
      }
    }

    final void next() {
      if (running) {
        inFlight.incrementAndGet();
        send(System.nanoTime());
      }
    }

    /** Sends one request and calls {@link #done} with its outcome. */
    abstract void send(long start);

    final void done(long start, int status, String body, String connection, Throwable failure) {
      if (failure != null) {
        stats.failed(start, failureClass(failure), String.valueOf(failure));
      } else if (status != 200 || !body.startsWith("pod-")) {
        stats.failed(start, "HTTP " + status, body);
      } else {
        stats.connection(connection);
        stats.succeeded();
      }
      inFlight.decrementAndGet();
      next();
    }

    @Override
    public void stop() throws Exception {
      running = false;
      long deadline = System.nanoTime() + TIMEOUT.plusSeconds(5).toNanos();
      while (inFlight.get() > 0 && System.nanoTime() - deadline < 0) {
        Thread.sleep(10);
      }
      close();
    }

    abstract void close() throws Exception;

    @Override
    public List<SoakStats> stats() {
      return List.of(stats);
    }
  }

  /** The exception's class, unwrapped from the async wrappers, as the failure's class. */
  static String failureClass(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName();
  }

  /**
   * OkHttp 4 over h2 prior knowledge or HTTP/1.1. OkHttp 4.12 fails some calls that never left it
   * when a connection goes away under it ({@code ConnectionShutdownException}, "exhausted all
   * routes", or its own socket closed under a stream it was opening): the README's OkHttp
   * caveat. A call whose request headers were never written is sent again, at most twice, as an
   * application may safely do, and counted apart ({@link SoakStats#resent()}); a call that
   * failed after its request was written is a failure.
   */
  static SoakClient okHttp(URI uri, boolean h2, int concurrency, SoakStats.KillWindows kills) {
    return new ClosedLoop(new SoakStats(h2 ? "OkHttp h2" : "OkHttp HTTP/1.1",
        (h2 ? "h2 prior knowledge" : "HTTP/1.1") + ", " + concurrency + " at a time", kills),
        uri, concurrency) {
      private final Dispatcher dispatcher = dispatcher(concurrency);
      private final OkHttpClient client = new OkHttpClient.Builder()
          .protocols(List.of(h2 ? Protocol.H2_PRIOR_KNOWLEDGE : Protocol.HTTP_1_1))
          .dispatcher(dispatcher)
          .connectionPool(new ConnectionPool(concurrency, 5, TimeUnit.MINUTES))
          .callTimeout(TIMEOUT)
          .eventListenerFactory(call -> new EventListener() {
            @Override
            public void requestHeadersEnd(Call c, Request request) {
              Written w = c.request().tag(Written.class);
              if (w != null) {
                w.written = true;
              }
            }
          })
          .build();

      @Override
      void send(long start) {
        send(start, 0);
      }

      private void send(long start, int resends) {
        Written written = new Written();
        client.newCall(new Request.Builder().url(uri.toString()).tag(Written.class, written)
            .build()).enqueue(new Callback() {
              @Override
              public void onResponse(Call call, Response response) {
                try (response) {
                  String body;
                  try {
                    body = response.body().string();
                  } catch (IOException e) {
                    done(start, 0, null, null, e);
                    return;
                  }
                  done(start, response.code(), body,
                      response.header(HelloService.CONNECTION_HEADER), null);
                }
              }

              @Override
              public void onFailure(Call call, IOException e) {
                if (!written.written && resends < 2) {
                  stats.resend();
                  send(start, resends + 1);
                } else {
                  done(start, 0, null, null, e);
                }
              }
            });
      }

      @Override
      void close() {
        dispatcher.executorService().shutdown();
        client.connectionPool().evictAll();
      }
    };
  }

  /** Whether any attempt of an OkHttp call wrote its request headers. */
  private static final class Written {
    volatile boolean written;
  }

  private static Dispatcher dispatcher(int concurrency) {
    Dispatcher d = new Dispatcher();
    d.setMaxRequests(concurrency);
    d.setMaxRequestsPerHost(concurrency);
    return d;
  }

  /** The JDK's HttpClient over h2c (upgrade) or HTTP/1.1. */
  static SoakClient jdk(URI uri, boolean h2c, int concurrency, SoakStats.KillWindows kills) {
    return new ClosedLoop(new SoakStats(h2c ? "JDK HttpClient h2c" : "JDK HttpClient HTTP/1.1",
        (h2c ? "h2c upgrade" : "HTTP/1.1") + ", " + concurrency + " at a time", kills),
        uri, concurrency) {
      private final HttpClient client = HttpClient.newBuilder()
          .version(h2c ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
      private final HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).build();

      @Override
      void send(long start) {
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString())
            .whenComplete((r, t) -> {
              if (t != null) {
                done(start, 0, null, null, t);
              } else {
                done(start, r.statusCode(), r.body(),
                    r.headers().firstValue(HelloService.CONNECTION_HEADER).orElse(null), null);
              }
            });
      }

      @Override
      void close() {
        // HttpClient has no close on JDK 17; its connections go with the JVM.
      }
    };
  }
}
