package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.http2.ConnectionShutdownException;

/** Real clients sending load, counting failures and the connections they used. */
final class Clients {
  private Clients() {
  }

  /** What a run saw. */
  static final class Result {
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final Set<String> ports = ConcurrentHashMap.newKeySet();
    final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Attempts the client gave up on before writing anything (see {@link #okHttpH2}). */
    final AtomicInteger unsent = new AtomicInteger();
    /** OkHttp attempts that failed after the request was written (OkHttp only). */
    final List<String> failedAfterSending =
        java.util.Collections.synchronizedList(new ArrayList<>());
    /** Connections the client reports it made, where it reports them; else distinct ports. */
    long connections;
    /**
     * The connections OkHttp gave a call, including calls it then retried elsewhere by itself
     * (a stream refused by a GOAWAY or REFUSED_STREAM): each reached the server, which registers
     * a connection on its first stream. Distinct ports would miss those retried from a
     * connection that answered nothing.
     */
    final Set<Object> used = java.util.Collections.synchronizedSet(
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

    void success(String body) {
      ok.incrementAndGet();
      ports.add(body.substring(0, body.indexOf(' ')));
    }

    void failure(String what) {
      failed.incrementAndGet();
      if (failures.size() < 10) {
        failures.add(what);
      }
    }

    synchronized void add(Result other) {
      ok.addAndGet(other.ok.get());
      failed.addAndGet(other.failed.get());
      ports.addAll(other.ports);
      failures.addAll(other.failures);
      connections += other.connections;
    }

    long clientConnections() {
      return Math.max(connections, ports.size());
    }

    /**
     * The server ran each of the {@code expected} requests once, but for those OkHttp sent again
     * by itself after an attempt failed with the request already written: each such attempt may
     * have run on the server before its response was lost (Jetty, rarely: see the caveats
     * in docs/servlet.md), and is counted in {@link #failedAfterSending}.
     */
    void assertServedOnceEach(int served, int expected) {
      assertThat(served).as("requests served, " + this).isGreaterThanOrEqualTo(expected);
      assertThat(served - expected).as("requests served twice, " + this)
          .isLessThanOrEqualTo(failedAfterSending.size());
    }

    void assertNoFailures(int expected) {
      assertThat(failures).as("failed requests").isEmpty();
      assertThat(failed.get()).isZero();
      assertThat(ok.get()).isEqualTo(expected);
    }

    @Override
    public String toString() {
      return "ok=" + ok + " failed=" + failed + " unsent-and-resent=" + unsent
          + " failed-after-sending=" + failedAfterSending + " connections=" + clientConnections();
    }
  }

  interface Call {
    void run(int i) throws Exception;
  }

  /** Runs {@code requests} calls on {@code threads} threads, each call counted by itself. */
  static void parallel(int threads, int requests, Call call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      AtomicInteger next = new AtomicInteger();
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          for (int i; (i = next.getAndIncrement()) < requests; ) {
            call.run(i);
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(3, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static Result jdkHttp11(String url, int threads, int requests) throws Exception {
    return jdkHttp11(i -> url, threads, requests);
  }

  /** Request {@code i} goes to {@code url.apply(i)}. */
  static Result jdkHttp11(IntFunction<String> url, int threads, int requests) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    Result r = new Result();
    parallel(threads, requests, i -> {
      HttpRequest request = HttpRequest.newBuilder(URI.create(url.apply(i)))
          .timeout(Duration.ofSeconds(30)).build();
      try {
        HttpResponse<String> resp = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() == 200) {
          r.success(resp.body());
        } else {
          r.failure("status " + resp.statusCode());
        }
      } catch (IOException e) {
        r.failure(e.toString());
      }
    });
    return r;
  }

  static OkHttpClient okHttpH2PriorKnowledge(AtomicInteger connects) {
    return okHttpH2PriorKnowledge(connects, new Result());
  }

  /**
   * Counts the connections OkHttp opens in {@code connects}; adds those it uses to
   * {@code r.used}, and the attempts that failed after their request went out to
   * {@code r.failedAfterSending}.
   */
  static OkHttpClient okHttpH2PriorKnowledge(AtomicInteger connects, Result r) {
    return new OkHttpClient.Builder()
        .protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE))
        .connectionPool(new ConnectionPool(8, 1, TimeUnit.MINUTES))
        .readTimeout(Duration.ofSeconds(30))
        .eventListener(new okhttp3.EventListener() {
          @Override
          public void connectStart(okhttp3.Call call, java.net.InetSocketAddress address,
              java.net.Proxy proxy) {
            connects.incrementAndGet();
          }

          @Override
          public void connectionAcquired(okhttp3.Call call, okhttp3.Connection connection) {
            r.used.add(connection);
          }

          @Override
          public void responseFailed(okhttp3.Call call, IOException e) {
            // The request was written; OkHttp may send it again on its own, and the server may
            // then see it twice.
            r.failedAfterSending.add(e.toString());
          }
        })
        .build();
  }

  /**
   * OkHttp over h2c. OkHttp throws {@code ConnectionShutdownException} when it tries to open a
   * stream on a connection whose GOAWAY its reader thread has just processed; it retries that
   * once, and gives up if the retry picks another connection that is going away, or finds no
   * route left. "exhausted all routes" is thrown only while OkHttp 4.12 picks a connection
   * ({@code ExchangeFinder}), before any stream: it comes with the shutdowns of earlier tries as
   * suppressed exceptions, or with none when the one connection it could use had read its GOAWAY
   * just before (seen once in a CI-like run of {@code UndertowHandlerTest}). Nothing was written to
   * the server in any of these cases, so the call is sent again (at most twice more) and counted
   * in {@link Result#unsent}.
   */
  static Result okHttpH2(String url, int threads, int requests) throws Exception {
    return okHttpH2(i -> url, threads, requests);
  }

  /** Request {@code i} goes to {@code url.apply(i)}. */
  static Result okHttpH2(IntFunction<String> url, int threads, int requests) throws Exception {
    AtomicInteger connects = new AtomicInteger();
    Result r = new Result();
    OkHttpClient client = okHttpH2PriorKnowledge(connects, r);
    try {
      parallel(threads, requests, i -> {
        for (int attempt = 1; ; attempt++) {
          try (Response resp = client.newCall(new Request.Builder().url(url.apply(i)).build())
              .execute()) {
            String body = resp.body().string();
            if (resp.code() == 200 && resp.protocol() == Protocol.H2_PRIOR_KNOWLEDGE) {
              r.success(body);
            } else {
              r.failure("status " + resp.code() + " over " + resp.protocol());
            }
            return;
          } catch (IOException e) {
            if (!neverSent(e) || attempt == 3) {
              r.failure(e + " suppressed " + java.util.Arrays.toString(e.getSuppressed()));
              return;
            }
            r.unsent.incrementAndGet();
          }
        }
      });
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    r.connections = connects.get();
    return r;
  }

  /** Whether OkHttp failed {@code e} before it wrote a stream (see {@link #okHttpH2}). */
  static boolean neverSent(IOException e) {
    if (e instanceof ConnectionShutdownException) {
      return true;
    }
    // An earlier try other than a shutdown (a refused or reset stream) may have reached the
    // server, so only shutdowns, or nothing, may come before.
    return "exhausted all routes".equals(e.getMessage())
        && java.util.Arrays.stream(e.getSuppressed())
            .allMatch(ConnectionShutdownException.class::isInstance);
  }

  /**
   * Runs {@code curl} {@code batches} times, each asking for {@code perBatch} URLs, which curl
   * sends on one reused connection until the server closes or drains it. {@code num_connects}
   * counts the connections curl opened.
   */
  static Result curl(String url, boolean http2PriorKnowledge, int batches, int perBatch)
      throws Exception {
    Result r = new Result();
    for (int b = 0; b < batches; b++) {
      List<String> cmd = new ArrayList<>(List.of(Tools.require("curl"), "-sS",
          http2PriorKnowledge ? "--http2-prior-knowledge" : "--http1.1",
          "--max-time", "60", "-w", "\\n%{http_code} %{num_connects} %{http_version}\\n"));
      for (int i = 0; i < perBatch; i++) {
        cmd.add(url);
      }
      Tools.Output out = Tools.run(cmd, Duration.ofMinutes(2));
      if (out.exitCode != 0) {
        r.failure("curl exit " + out.exitCode + ": " + out.stderr);
      }
      String[] lines = out.stdout.split("\n");
      int statuses = 0;
      for (int i = 0; i + 1 < lines.length; i += 2) {
        String[] meta = lines[i + 1].trim().split(" ");
        statuses++;
        String expectedVersion = http2PriorKnowledge ? "2" : "1.1";
        if (meta[0].equals("200") && meta[2].equals(expectedVersion)) {
          r.success(lines[i]);
        } else {
          r.failure("curl: " + lines[i + 1]);
        }
        r.connections += Long.parseLong(meta[1]);
      }
      if (statuses != perBatch) {
        r.failure("curl answered " + statuses + " of " + perBatch + ": " + out.stderr);
      }
    }
    return r;
  }

  /** h2load's own summary. */
  static final class H2load {
    final int total;
    final int started;
    final int succeeded;
    final int failed;
    final int errored;
    final int timeout;
    final String output;

    private H2load(String output) {
      this.output = output;
      Matcher m = Pattern.compile("requests: (\\d+) total, (\\d+) started, \\d+ done, (\\d+) "
          + "succeeded, (\\d+) failed, (\\d+) errored, (\\d+) timeout").matcher(output);
      assertThat(m.find()).as("h2load summary in:\n" + output).isTrue();
      total = Integer.parseInt(m.group(1));
      started = Integer.parseInt(m.group(2));
      succeeded = Integer.parseInt(m.group(3));
      failed = Integer.parseInt(m.group(4));
      errored = Integer.parseInt(m.group(5));
      timeout = Integer.parseInt(m.group(6));
    }

    static H2load run(String url, int requests, int clients, int streams, boolean h1)
        throws Exception {
      List<String> cmd = new ArrayList<>(List.of(Tools.require("h2load"),
          "-n", Integer.toString(requests), "-c", Integer.toString(clients),
          "-m", Integer.toString(streams), "-T", "60"));
      if (h1) {
        cmd.add("--h1");
      }
      cmd.add(url);
      Tools.Output out = Tools.run(cmd, Duration.ofMinutes(3));
      assertThat(out.exitCode).as("h2load exit code; output:\n" + out.stdout + out.stderr)
          .isZero();
      return new H2load(out.stdout);
    }

    void assertAllSucceeded(int expected) {
      assertThat(total).isEqualTo(expected);
      assertThat(failed + errored + timeout).as("h2load failures:\n" + output).isZero();
      assertThat(succeeded).as(output).isEqualTo(expected);
    }
  }

  static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }
}
