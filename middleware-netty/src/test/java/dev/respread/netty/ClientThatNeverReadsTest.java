package dev.respread.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.respread.RecyclingConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that sends a request and never reads its response, which is far larger than the
 * socket buffers: the response cannot leave the server, so its request is still in flight when
 * the grace runs out. The server then closes the connection hard and counts it as forced, and
 * {@code shutdown()} completes, instead of leaving the response queued for ever.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClientThatNeverReadsTest extends RealServerTest {
  /** Several times what the kernel buffers on both sides of a loopback connection. */
  private static final int RESPONSE_BYTES = 16 << 20;
  /** The client's receive buffer, as small as the kernel allows. */
  private static final int RECEIVE_BUFFER = 4096;

  /** Drains only at shutdown, at once, with a short grace. */
  private static RecyclingConfig shutdownOnly() {
    return Recyclers.capOnly(0).maxConnectionAgeGrace(Duration.ofMillis(500))
        .shutdownDelay(Duration.ZERO).build();
  }

  /** A connected socket that will hold on to what the server sends without reading it. */
  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(RECEIVE_BUFFER);
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
    socket.setSoTimeout(30_000);
    return socket;
  }

  /** Waits, at most 10 s, until the server has registered the connection. */
  private void awaitRegistered() throws InterruptedException {
    for (int i = 0; i < 200 && recyclers.recycler.openConnections() == 0; i++) {
      Thread.sleep(50);
    }
    assertThat(recyclers.recycler.openConnections()).as("connections registered").isEqualTo(1);
  }

  /**
   * Reads what reached the client until the server's close: less than the response, since the
   * server gave up on the rest.
   */
  private static long readUntilClosed(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    try {
      for (int n; (n = in.read(buf)) != -1; ) {
        total += n;
      }
    } catch (SocketException reset) {
      // A hard close may reset the connection; either way the server closed it.
    }
    return total;
  }

  private void assertShutdownClosesTheConnectionHard(Socket socket) throws Exception {
    awaitRegistered();

    recyclers.recycler.shutdown().get(30, TimeUnit.SECONDS);

    assertThat(recyclers.forced()).as("connections closed hard after the grace").isEqualTo(1);
    assertThat(recyclers.recycler.openConnections()).isZero();
    assertThat(readUntilClosed(socket)).as("bytes that reached the client")
        .isLessThan(RESPONSE_BYTES);
  }

  @Test
  void http1ResponseTheClientNeverReadsIsClosedHardAfterTheGraceAndShutdownCompletes()
      throws Exception {
    start(TestServer.Shape.HTTP1, shutdownOnly());
    try (Socket socket = connect()) {
      socket.getOutputStream().write(("GET /bytes/" + RESPONSE_BYTES + " HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

      assertShutdownClosesTheConnectionHard(socket);
    }
  }

  /**
   * Holds without help from Http2RecyclingHandler, which counts a stream until Netty closes it:
   * Netty's {@code Http2ConnectionHandler.closeStream} waits for the write of the END_STREAM
   * frame to complete, and flow control keeps the body queued for a client that sends no
   * WINDOW_UPDATE (RFC 9113 §6.9).
   */
  @Test
  void http2StreamTheClientNeverReadsIsClosedHardAfterTheGraceAndShutdownCompletes()
      throws Exception {
    start(TestServer.Shape.H2_FRAME_CODEC, shutdownOnly());
    try (Socket socket = connect()) {
      socket.getOutputStream().write(h2cPriorKnowledgeGet("/bytes/" + RESPONSE_BYTES));

      assertShutdownClosesTheConnectionHard(socket);
    }
  }

  /**
   * The connection preface, an empty SETTINGS frame and one GET on stream 1, by hand (RFC 9113
   * §3.4, §6.2; header fields from the HPACK static table, RFC 7541 Appendix A). The client
   * never sends WINDOW_UPDATE, so the server stops at the initial 64 KiB window and the stream
   * stays open.
   */
  private byte[] h2cPriorKnowledgeGet(String path) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    block.write(0x82); // :method: GET
    block.write(0x86); // :scheme: http
    literal(block, 0x44, path); // :path, literal with incremental indexing
    literal(block, 0x41, "127.0.0.1"); // :authority
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(out, 0x4, 0, 0, new byte[0]); // SETTINGS
    frame(out, 0x1, 0x5, 1, block.toByteArray()); // HEADERS, END_STREAM | END_HEADERS
    return out.toByteArray();
  }

  private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
    block.write(nameIndex);
    block.write(value.length()); // under 127, not Huffman-coded
    block.writeBytes(value.getBytes(StandardCharsets.US_ASCII));
  }

  private static void frame(ByteArrayOutputStream out, int type, int flags, int stream,
      byte[] payload) {
    out.write(payload.length >>> 16);
    out.write(payload.length >>> 8);
    out.write(payload.length);
    out.write(type);
    out.write(flags);
    out.write(stream >>> 24);
    out.write(stream >>> 16);
    out.write(stream >>> 8);
    out.write(stream);
    out.writeBytes(payload);
  }
}
