package dev.respread.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.respread.RecyclingConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What happens to requests and clients that misbehave or run long while a drain starts. */
class FaultTest {
  private static final int CHUNKS = 20;
  private static final int CHUNK_BYTES = 1024;
  private static final long CHUNK_PAUSE_MS = 50;

  private final Fixture fixture = new Fixture();
  private Recycling recycling;

  @AfterEach
  void stop() throws Exception {
    fixture.close();
  }

  private Container.Running start(Container container, RecyclingConfig config)
      throws Exception {
    Container.Running s = fixture.start(container, config, new TestServlet());
    recycling = fixture.recycling;
    return s;
  }

  /** Age 300 ms, no request cap: the drain comes while the body is still being sent. */
  private static RecyclingConfig ageOnly() {
    return Recycling.fast().maxRequestsPerConnection(0).build();
  }

  /** A body sent in {@link #CHUNKS} pieces, {@link #CHUNK_PAUSE_MS} apart: ~1 s. */
  private static InputStream slowBody() {
    return new InputStream() {
      private int sent;

      @Override
      public int read() {
        throw new UnsupportedOperationException();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (sent == CHUNKS) {
          return -1;
        }
        pause();
        sent++;
        int n = Math.min(len, CHUNK_BYTES);
        java.util.Arrays.fill(b, off, off + n, (byte) 'x');
        return n;
      }
    };
  }

  private static void pause() {
    try {
      Thread.sleep(CHUNK_PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @ParameterizedTest
  @EnumSource(Container.class)
  void http11RequestBodyStillStreamingAtTheDrainIsServedInFull(Container container)
      throws Exception {
    Container.Running s = start(container, ageOnly());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(s.url("/upload")))
        .POST(HttpRequest.BodyPublishers.ofInputStream(FaultTest::slowBody)).build();

    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).endsWith(" " + CHUNKS * CHUNK_BYTES);
    assertThat(response.headers().firstValue("connection")).hasValue("close");
    assertThat(recycling.drained("http/1.1")).isEqualTo(1);
    assertThat(recycling.forced()).isZero();
  }

  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void http2RequestBodyStillStreamingAtTheDrainIsServedInFull(Container container)
      throws Exception {
    Container.Running s = start(container, ageOnly());
    OkHttpClient client = Clients.okHttpH2PriorKnowledge(new AtomicInteger());
    RequestBody body = new RequestBody() {
      @Override
      public MediaType contentType() {
        return MediaType.get("application/octet-stream");
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        try (InputStream in = slowBody()) {
          byte[] buf = new byte[CHUNK_BYTES];
          for (int n; (n = in.read(buf, 0, buf.length)) != -1; ) {
            sink.write(buf, 0, n);
            sink.flush();
          }
        }
      }
    };

    try (Response response = client.newCall(new Request.Builder().url(s.url("/upload"))
        .post(body).build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      assertThat(response.body().string()).endsWith(" " + CHUNKS * CHUNK_BYTES);
    } finally {
      client.connectionPool().evictAll();
    }
    assertThat(recycling.drained("h2")).isEqualTo(1);
    assertThat(recycling.forced()).isZero();
  }

  /**
   * A response larger than the HTTP/2 flow-control windows, read slowly: its last DATA frames
   * are still queued when the handler has finished, and the final GOAWAY must not cut them off.
   */
  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void http2ResponseStillFlowingWhenTheRequestEndsArrivesInFull(Container container)
      throws Exception {
    Container.Running s = start(container, Recycling.fast().maxRequestsPerConnection(0)
        .goAwayPingTimeout(Duration.ofMillis(100)).build());
    OkHttpClient client = Clients.okHttpH2PriorKnowledge(new AtomicInteger());
    int kb = 1024;

    long received = 0;
    try (Response response = client.newCall(new Request.Builder().url(s.url("/big?kb=" + kb))
        .build()).execute()) {
      assertThat(response.code()).isEqualTo(200);
      try (InputStream in = response.body().byteStream()) {
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) != -1; ) {
          received += n;
          Thread.sleep(5);
        }
      }
    } finally {
      client.connectionPool().evictAll();
    }
    assertThat(received).isGreaterThan((long) kb * 1024);
    assertThat(recycling.drained("h2")).isEqualTo(1);
    assertThat(recycling.forced()).isZero();
  }

  /**
   * Grace 500 ms, response 2 s: the connection is closed hard when the grace runs out, the
   * client sees the response cut short, and {@code respread.connections.forced} counts it.
   * Not Tomcat: the servlet API there cannot close a socket.
   */
  @ParameterizedTest
  @EnumSource(value = Container.class, names = {"UNDERTOW", "JETTY"})
  void responseLongerThanTheGraceIsClosedHardAndCounted(Container container) throws Exception {
    Container.Running s = start(container, Recycling.fast()
        .maxRequestsPerConnection(0).maxConnectionAgeGrace(Duration.ofMillis(500)).build());
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(s.url("/stream?chunks=40&ms=50")))
        .build();

    assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    assertThat(recycling.forced()).isEqualTo(1);
  }

  /**
   * A client that ignores {@code Connection: close} and keeps writing requests on the same socket
   * gets the response that carried the close in full, then an end of stream; the server keeps
   * serving other connections.
   */
  @ParameterizedTest
  @EnumSource(Container.class)
  void clientIgnoringConnectionCloseGetsEndOfStreamAfterTheClosingResponse(Container container)
      throws Exception {
    Container.Running s = start(container, Recycling.fast()
        .maxRequestsPerConnection(2).jitter(0).maxConnectionAge(Duration.ofHours(1)).build());
    byte[] get = ("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);

    String received;
    try (Socket socket = new Socket("127.0.0.1", s.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(get);
      out.flush();
      String first = readResponse(in);
      out.write(get);
      out.flush();
      String second = readResponse(in);
      assertThat(first).startsWith("HTTP/1.1 200").doesNotContainIgnoringCase("connection: close");
      assertThat(second).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close");
      // Keep writing as if nothing happened.
      try {
        for (int i = 0; i < 5; i++) {
          out.write(get);
          out.flush();
          Thread.sleep(20);
        }
      } catch (IOException expected) {
        // The server has closed the connection: writes may fail with a reset.
      }
      received = readRest(in);
    }
    assertThat(received).as("bytes after the closing response").doesNotContain("HTTP/1.1");
    Clients.Result after = Clients.jdkHttp11(s.url("/hello"), 1, 3);
    after.assertNoFailures(3);
  }

  /** Reads one response with a Content-Length body. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c == -1) {
        throw new IOException("end of stream in headers: " + head);
      }
      head.append((char) c);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    byte[] body = in.readNBytes(length);
    return head + new String(body, StandardCharsets.US_ASCII);
  }

  /** Everything until end of stream or a reset. */
  private static String readRest(InputStream in) {
    StringBuilder sb = new StringBuilder();
    try {
      for (int c; (c = in.read()) != -1; ) {
        sb.append((char) c);
      }
    } catch (IOException reset) {
      // A reset also ends the connection.
    }
    return sb.toString();
  }
}
